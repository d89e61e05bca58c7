using KeyGuard.Findings;
namespace KeyGuard.Compliance.Baseline;

/// <summary>
/// The account-baseline controls. Numbers from prowler's compliance/aws/cis_3.0_aws.json and cis_5.0_aws.json
/// (v1.5/v3.0 first, v5.0 second); severities are prowler's check severities.
/// </summary>
internal static class BaselineControls
{
    private const ControlSection B = ControlSection.Baseline;

    public static readonly CisControl UserDirectPolicies = new("1.15", "1.14",
        "Ensure IAM users receive permissions only through groups", Severity.Low, "iam_policy_attached_only_to_group_or_roles",
        "Move the user's permissions to a group: aws iam add-user-to-group, then aws iam detach-user-policy / delete-user-policy.", B);
    public static readonly CisControl FullAdminPolicies = new("1.16", "1.15",
        "Ensure IAM policies that allow full \"*:*\" administrative privileges are not attached", Severity.High,
        "iam_aws_attached_policy_no_administrative_privileges / iam_customer_attached_policy_no_administrative_privileges",
        "Replace the policy with least-privilege ones; detach it (aws iam detach-user-policy / detach-group-policy / detach-role-policy).", B);
    public static readonly CisControl SupportRole = new("1.17", "1.16",
        "Ensure a support role has been created to manage incidents with AWS Support", Severity.Low, "iam_support_role_created",
        "aws iam create-role --role-name aws-support --assume-role-policy-document file://trust.json && aws iam attach-role-policy --role-name aws-support --policy-arn arn:aws:iam::aws:policy/AWSSupportAccess", B);
    public static readonly CisControl ExpiredServerCertificates = new("1.19", "1.18",
        "Ensure that all the expired SSL/TLS certificates stored in AWS IAM are removed", Severity.High, "iam_no_expired_server_certificates_stored",
        "aws iam delete-server-certificate --server-certificate-name NAME (after checking nothing still serves it); prefer ACM.", B);
    public static readonly CisControl AccessAnalyzer = new("1.20", "1.19",
        "Ensure that IAM Access Analyzer is enabled for all regions", Severity.Low, "accessanalyzer_enabled",
        "aws accessanalyzer create-analyzer --analyzer-name account-analyzer --type ACCOUNT --region REGION (in every enabled region).", B);
    public static readonly CisControl S3AccountPublicAccessBlock = new("2.1.4", "2.1.4",
        "Ensure that S3 is configured with account-level 'Block Public Access' (all four settings)", Severity.High, "s3_account_level_public_access_blocks",
        "aws s3control put-public-access-block --account-id ACCOUNT --public-access-block-configuration BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true", B);
    public static readonly CisControl CloudTrailMultiRegion = new("3.1", "3.1",
        "Ensure CloudTrail is enabled in all regions (a multi-region trail that is logging)", Severity.High, "cloudtrail_multi_region_enabled",
        "aws cloudtrail create-trail --name management-events --s3-bucket-name BUCKET --is-multi-region-trail --enable-log-file-validation && aws cloudtrail start-logging --name management-events", B);
    public static readonly CisControl CloudTrailLogFileValidation = new("3.2", "3.2",
        "Ensure CloudTrail log file validation is enabled", Severity.Medium, "cloudtrail_log_file_validation_enabled",
        "aws cloudtrail update-trail --name TRAIL --enable-log-file-validation", B);
    public static readonly CisControl ConfigAllRegions = new("3.3", "3.3",
        "Ensure AWS Config is enabled in all regions (all resources recorded, with a delivery channel)", Severity.Medium, "config_recorder_all_regions_enabled",
        "aws configservice put-configuration-recorder --configuration-recorder name=default,roleARN=ROLE --recording-group allSupported=true,includeGlobalResourceTypes=true; aws configservice put-delivery-channel --delivery-channel name=default,s3BucketName=BUCKET; aws configservice start-configuration-recorder --configuration-recorder-name default (per region)", B);
    public static readonly CisControl CloudTrailKms = new("3.5", "3.5",
        "Ensure CloudTrail logs are encrypted at rest using KMS CMKs (noted, not failed)", Severity.Medium, "cloudtrail_kms_encryption_enabled",
        "aws cloudtrail update-trail --name TRAIL --kms-key-id KEY_ARN (the key policy must let CloudTrail use it)", B);
    public static readonly CisControl CloudTrailCloudWatchLogs = new("", "",
        "Ensure CloudTrail trails are integrated with CloudWatch Logs (CIS v1.5 3.4; dropped in v3.0; noted, not failed)", Severity.Low,
        "cloudtrail_cloudwatch_logging_enabled",
        "aws cloudtrail update-trail --name TRAIL --cloud-watch-logs-log-group-arn LOG_GROUP_ARN --cloud-watch-logs-role-arn ROLE_ARN", B);

    public static IReadOnlyList<CisControl> All { get; } =
    [
        UserDirectPolicies, FullAdminPolicies, SupportRole, ExpiredServerCertificates, AccessAnalyzer, S3AccountPublicAccessBlock,
        CloudTrailMultiRegion, CloudTrailLogFileValidation, ConfigAllRegions, CloudTrailKms, CloudTrailCloudWatchLogs,
    ];
}

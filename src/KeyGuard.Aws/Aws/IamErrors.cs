using System.Xml.Linq;

namespace KeyGuard.Aws;

/// <summary>
/// An IAM or STS API call that failed: the AWS error code, HTTP status, request ID and the action
/// ("iam:GetAccessKeyLastUsed") so the message can name what permission is missing.
/// </summary>
internal class IamException : Exception
{
    public IamException(string action, string code, int httpStatus, string? serverMessage, string? requestId = null, Exception? inner = null)
        : base(Describe(action, code, httpStatus, serverMessage), inner)
    {
        Action = action;
        Code = code;
        HttpStatus = httpStatus;
        ServerMessage = serverMessage;
        RequestId = requestId;
    }

    /// <summary>The API action with its service prefix, e.g. "iam:ListAccessKeys"; also the IAM permission it needs.</summary>
    public string Action { get; }
    /// <summary>The AWS error code (AccessDenied, NoSuchEntity, Throttling, ...) or a KeyGuard one (RequestTimeout, NetworkError).</summary>
    public string Code { get; }
    /// <summary>The HTTP status; 0 when no response arrived.</summary>
    public int HttpStatus { get; }
    public string? ServerMessage { get; }
    public string? RequestId { get; }

    public bool IsAccessDenied => Code is "AccessDenied" or "AccessDeniedException" or "UnauthorizedOperation";
    public bool IsNoSuchEntity => Code == "NoSuchEntity";

    /// <summary>Throttling, 5xx, timeouts and network failures are worth another try; everything else is final.</summary>
    public bool IsTransient =>
        Code is "Throttling" or "ThrottlingException" or "RequestLimitExceeded" or "TooManyRequestsException"
            or "RequestTimeout" or "NetworkError"
        || HttpStatus >= 500;

    /// <summary>
    /// The call may have taken effect although it reports failure: no answer (timeout, dropped connection), a 5xx
    /// (possibly from a proxy after IAM acted), or a 200 that could not be read. A 4xx answer from IAM is a refusal.
    /// </summary>
    public bool OutcomeUnknown => HttpStatus == 0 || HttpStatus >= 500 || Code is "MalformedResponse" or "ResponseTooLarge";

    private static string Describe(string action, string code, int status, string? serverMessage)
    {
        string statusText = status > 0 ? $" (HTTP {status})" : "";
        string detail = string.IsNullOrWhiteSpace(serverMessage) ? "" : $": {serverMessage.Trim()}";
        if (code is "AccessDenied" or "AccessDeniedException")
            return $"{action} was denied{statusText}: the credentials in use lack the permission {action}{detail}";
        return $"{action} failed with {code}{statusText}{detail}";
    }
}

/// <summary>Turns an error response body into an <see cref="IamException"/> (aws-iam.md §1, error envelope).</summary>
internal static class IamErrorParser
{
    /// <summary>
    /// Reads the Query-protocol error envelope (&lt;ErrorResponse&gt;&lt;Error&gt;…) or the EC2-style
    /// &lt;Response&gt;&lt;Errors&gt;&lt;Error&gt;…; a body that is not XML still yields a usable exception.
    /// </summary>
    public static IamException Parse(string action, int httpStatus, string body)
    {
        try
        {
            var doc = XDocument.Parse(body);
            var error = doc.Descendants().FirstOrDefault(e => e.Name.LocalName == "Error");
            if (error != null)
            {
                string code = Child(error, "Code") ?? $"Http{httpStatus}";
                string? message = Child(error, "Message");
                string? requestId = doc.Descendants().FirstOrDefault(e => e.Name.LocalName is "RequestId" or "RequestID")?.Value;
                return new IamException(action, code, httpStatus, message, requestId);
            }
        }
        catch (System.Xml.XmlException)
        {
            // Not XML (a proxy page, an empty body): fall through to the status-only exception.
        }
        string fallback = body.Length > 200 ? body[..200] : body;
        return new IamException(action, httpStatus >= 500 ? "ServiceFailure" : $"Http{httpStatus}", httpStatus, fallback);
    }

    private static string? Child(XElement parent, string name) =>
        parent.Elements().FirstOrDefault(e => e.Name.LocalName == name)?.Value;
}

/// <summary>Credentials or configuration could not be resolved before any AWS call was made.</summary>
internal sealed class AwsConfigurationException(string message, Exception? inner = null) : Exception(message, inner);

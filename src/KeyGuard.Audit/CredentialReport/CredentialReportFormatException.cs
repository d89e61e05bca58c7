namespace KeyGuard.CredentialReport;

/// <summary>The credential report is malformed. The message names the row, user and column so the user can find it.</summary>
internal sealed class CredentialReportFormatException(string message) : Exception(message);

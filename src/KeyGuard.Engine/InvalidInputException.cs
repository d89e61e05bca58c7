namespace KeyGuard;

/// <summary>
/// The user gave KeyGuard something it cannot use: an option value, a rule file, a config file, a baseline. Library
/// code throws it with a message naming what and where; the command line prints that one line and exits 2.
/// </summary>
public class InvalidInputException(string message) : Exception(message);

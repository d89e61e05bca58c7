using CsvHelper;

namespace KeyGuard.Reporting;

/// <summary>
/// The one set of writer options for every CSV KeyGuard writes. Cells come from scanned repositories (file names,
/// commit authors) or from IAM (user names), and these files are meant to be opened in a spreadsheet: a cell that
/// starts with = + - @, tab or CR is prefixed with ' so that it is shown as text, never run as a formula.
/// </summary>
internal static class CsvOutput
{
    public static CsvWriterOptions Options(string newLine) =>
        CsvWriterOptions.Default with { NewLine = newLine, Injection = CsvInjection.Escape };
}

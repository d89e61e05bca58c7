// dotnet run --project docs/examples/library -- FOLDER < TEXT
try
{
    return LibraryExample.Run(Console.In.ReadToEnd(), args.Length > 0 ? args[0] : ".", Console.Out);
}
catch (KeyGuard.InvalidInputException e)
{
    // A missing folder, a bad config or rule file: the message names it.
    Console.Error.WriteLine($"example: {e.Message}");
    return 2;
}

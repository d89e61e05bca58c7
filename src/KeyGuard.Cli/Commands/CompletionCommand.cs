using System.CommandLine;

namespace KeyGuard.Cli.Commands;

/// <summary>
/// <c>keyguard completion bash|zsh|fish|pwsh</c>: prints a completion script for the shell. Each script asks keyguard
/// itself through System.CommandLine's <c>[suggest:POSITION] "LINE"</c> directive, so completions always match the
/// installed version's commands, options and option values (no dotnet-suggest needed).
/// </summary>
internal static class CompletionCommand
{
    public static readonly string[] Shells = ["bash", "zsh", "fish", "pwsh"];

    public static Command Create()
    {
        var shell = new Argument<string>("SHELL") { Description = "bash, zsh, fish or pwsh." };
        shell.AcceptOnlyFromAmong(Shells);
        var c = new Command("completion", "Print a shell completion script. bash: source <(keyguard completion bash) in ~/.bashrc; zsh: source <(keyguard completion zsh) after compinit; fish: keyguard completion fish > ~/.config/fish/completions/keyguard.fish; pwsh: keyguard completion pwsh | Out-String | Invoke-Expression in $PROFILE.");
        c.Arguments.Add(shell);
        c.SetAction(p =>
        {
            Console.Out.Write(Script(p.GetValue(shell)!));
            return ExitCodes.Clean;
        });
        return c;
    }

    public static string Script(string shell) => shell switch
    {
        "bash" => Bash,
        "zsh" => Zsh,
        "fish" => Fish,
        "pwsh" => Pwsh,
        _ => throw new InvalidInputException($"completion: unknown shell '{shell}' ({string.Join(", ", Shells)})"),
    };

    private const string Bash = """
        # keyguard completion for bash. Load it with: source <(keyguard completion bash)
        # (or save it as ~/.local/share/bash-completion/completions/keyguard).
        _keyguard_complete() {
            local cur="${COMP_WORDS[COMP_CWORD]}" IFS=$'\n'
            local -a candidates
            read -d '' -ra candidates < <(keyguard "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)
            read -d '' -ra COMPREPLY < <(compgen -W "${candidates[*]:-}" -- "$cur")
        }
        complete -o default -o bashdefault -F _keyguard_complete keyguard

        """;

    private const string Zsh = """
        #compdef keyguard
        # keyguard completion for zsh. Load it with: source <(keyguard completion zsh) (after compinit),
        # or save it as _keyguard in a folder on $fpath.
        _keyguard() {
            local line="${words[1,CURRENT]}"
            local -a candidates
            candidates=("${(@f)$(keyguard "[suggest:${#line}]" "$line" 2>/dev/null)}")
            if (( ${#candidates} )) && [[ -n "${candidates[1]}" ]]; then
                compadd -- "${candidates[@]}"
            else
                _files
            fi
        }
        if [[ "${funcstack[1]}" == "_keyguard" ]]; then _keyguard "$@"; else compdef _keyguard keyguard; fi

        """;

    private const string Fish = """
        # keyguard completion for fish. Save it with: keyguard completion fish > ~/.config/fish/completions/keyguard.fish
        function __keyguard_complete
            set -l line (commandline -cp)
            keyguard "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null
        end
        complete -c keyguard -a '(__keyguard_complete)'

        """;

    private const string Pwsh = """
        # keyguard completion for PowerShell. Load it with: keyguard completion pwsh | Out-String | Invoke-Expression
        # (add that line to $PROFILE).
        Register-ArgumentCompleter -Native -CommandName keyguard -ScriptBlock {
            param($wordToComplete, $commandAst, $cursorPosition)
            $line = $commandAst.ToString()
            $pos = $cursorPosition - $commandAst.Extent.StartOffset
            if ($line.Length -lt $pos) { $line = $line.PadRight($pos) }
            keyguard "[suggest:$pos]" "$line" 2>$null | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
                [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
            }
        }

        """;
}

using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using KeyGuard.Detection.Detectors;
using Xunit;

namespace KeyGuard.Tests.Architecture;

/// <summary>The shape docs/architecture.md promises: assemblies that point one way, an engine with no dependencies,
/// detectors that own their rule ids, and a public surface that is exactly docs/library.md's.</summary>
public sealed class ArchitectureTests
{
    private static string Root() => Git.HookInstallTests.RepoRoot();

    /// <summary>Each library and what it may reference: only earlier stages of the flow.</summary>
    private static readonly Dictionary<string, string[]> AllowedReferences = new()
    {
        ["KeyGuard.Engine"] = [],
        ["KeyGuard.Git"] = ["KeyGuard.Engine"],
        ["KeyGuard.Scan"] = ["KeyGuard.Engine", "KeyGuard.Git"],
        ["KeyGuard.Aws"] = ["KeyGuard.Engine"],
        ["KeyGuard.Audit"] = ["KeyGuard.Aws"],
        ["KeyGuard.Remediation"] = ["KeyGuard.Aws", "KeyGuard.Audit", "KeyGuard.Git"],
        ["KeyGuard.Org"] = ["KeyGuard.Scan", "KeyGuard.Remediation"],
    };

    private static XDocument Project(string name) => XDocument.Load(Path.Combine(Root(), "src", name, name + ".csproj"));

    [Fact]
    public void The_engine_has_no_package_and_no_project_reference()
    {
        var engine = Project("KeyGuard.Engine");
        Assert.Empty(engine.Descendants("PackageReference"));
        Assert.Empty(engine.Descendants("ProjectReference"));
        Assert.Empty(typeof(SecretScanner).Assembly.GetReferencedAssemblies().Where(a => !IsFramework(a.Name!)).Select(a => a.Name));
    }

    [Fact]
    public void Every_library_references_only_earlier_stages()
    {
        var libraries = Directory.GetDirectories(Path.Combine(Root(), "src")).Select(Path.GetFileName).Where(n => n!.StartsWith("KeyGuard.") && n != "KeyGuard.Cli").ToList();
        Assert.Equal(AllowedReferences.Keys.Order(), libraries.Order()!);
        foreach (var (name, allowed) in AllowedReferences)
        {
            var references = Project(name).Descendants("ProjectReference").Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value.Replace('\\', '/')));
            Assert.True(references.All(allowed.Contains), $"{name} references {string.Join(", ", references.Except(allowed))}, which the flow does not allow");
        }
    }

    [Fact]
    public void No_rule_id_literal_appears_outside_its_detectors_file()
    {
        var sources = Directory.EnumerateFiles(Path.Combine(Root(), "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")).Select(f => (Path: f, Text: File.ReadAllText(f))).ToList();
        foreach (var detector in BuiltInDetectors.All)
        {
            var literal = $"\"{detector.Id}\"";
            var holders = sources.Where(s => s.Text.Contains(literal)).Select(s => Path.GetRelativePath(Root(), s.Path)).ToList();
            var holder = Assert.Single(holders);
            Assert.Contains("Detection/Detectors/", holder.Replace('\\', '/'));
        }
    }

    private static readonly string[] Libraries =
        ["KeyGuard.Engine", "KeyGuard.Git", "KeyGuard.Scan", "KeyGuard.Aws", "KeyGuard.Audit", "KeyGuard.Remediation", "KeyGuard.Org"];

    private static List<Type> TypesOf(Func<Type, bool> which) =>
        Libraries.Select(Assembly.Load).SelectMany(a => a.GetTypes())
            .Where(t => !t.IsNested && !t.Name.StartsWith('<') && t.GetCustomAttribute<System.Runtime.CompilerServices.CompilerGeneratedAttribute>() == null)
            .Where(which).ToList();

    [Fact]
    public void The_public_types_are_exactly_those_library_md_documents_and_far_fewer_than_the_internal_ones()
    {
        var exported = TypesOf(t => t.IsPublic).Select(t => t.FullName!).Order().ToList();
        var internals = TypesOf(t => !t.IsPublic);
        var doc = File.ReadAllText(Path.Combine(Root(), "docs", "library.md"));
        var documented = Regex.Matches(doc[doc.IndexOf("## API", StringComparison.Ordinal)..], @"^- `(KeyGuard\.[A-Za-z.]+)`(?: and `(KeyGuard\.[A-Za-z.]+)`)?", RegexOptions.Multiline)
            .SelectMany(m => new[] { m.Groups[1].Value, m.Groups[2].Value }).Where(v => v.Length > 0).ToList();
        documented.AddRange(Regex.Matches(doc, @"returns a\s+`(KeyGuard\.[A-Za-z.]+)`").Select(m => m.Groups[1].Value));
        Assert.Equal(documented.Order(), exported);
        Assert.True(exported.Count * 10 < internals.Count, $"{exported.Count} public types against {internals.Count} internal ones");
    }

    [Fact]
    public void The_library_example_in_the_docs_is_the_file_the_tests_compile()
    {
        var doc = File.ReadAllText(Path.Combine(Root(), "docs", "library.md"));
        var block = Regex.Match(doc, "```csharp\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        Assert.Equal(File.ReadAllText(Path.Combine(Root(), "docs", "examples", "library", "LibraryExample.cs")), block);
    }

    private static bool IsFramework(string name) => name is "System.Runtime" or "netstandard" or "mscorlib" || name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.Win32", StringComparison.Ordinal);
}

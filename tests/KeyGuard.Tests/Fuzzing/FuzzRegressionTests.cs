using System.Buffers.Binary;
using System.Text;
using KeyGuard.Compliance;
using KeyGuard.Detection;
using KeyGuard.Sources.Git.History;
using KeyGuard.Sources.Git.Packs;
using LibGit2Sharp;

namespace KeyGuard.Tests.Fuzzing;

/// <summary>Inputs the fuzzer found that crashed a parser, reduced by hand; each now parses or fails cleanly.</summary>
public sealed class FuzzRegressionTests : IDisposable
{
    private readonly Support.TempDir _dir = new();

    // ---- password policy: GetInt32 threw FormatException on numbers that are not 32-bit integers ----

    [Theory]
    [InlineData("""{"PasswordPolicy":{"MinimumPasswordLength":1e10}}""", "MinimumPasswordLength 1e10")]
    [InlineData("""{"MinimumPasswordLength":14,"MaxPasswordAge":1.5}""", "MaxPasswordAge 1.5")]
    [InlineData("""{"MinimumPasswordLength":14,"PasswordReusePrevention":-2147483649}""", "PasswordReusePrevention -2147483649")]
    public void Password_policy_number_that_is_not_a_whole_int_is_a_usage_error(string json, string named)
    {
        var e = Assert.Throws<InvalidInputException>(() => PasswordPolicyJson.Parse(json, "policy.json"));
        Assert.Contains("policy.json", e.Message);
        Assert.Contains(named + " is not a whole number", e.Message);
    }

    // ---- git diff-tree output: ReadMeta threw on a bad parent id, a date out of range or a zone past 14 hours ----

    private static readonly ObjectId Commit = new("1111111111111111111111111111111111111111");

    private static byte[] DiffTreeSection(string parents, string date) =>
        Encoding.UTF8.GetBytes($"{Commit.Sha}\0{parents}\0Tester\0tester@example.com\0{date}\0message\n\0");

    [Theory]
    [InlineData("2222222222222222222222222222222222222222 b00ab0c866689be3776bf418d69c3c5c87d")]   // the fuzzer's: a cut parent id
    [InlineData("not-hex-not-hex-not-hex-not-hex-not-hex-")]
    public void Diff_tree_bad_parent_id_is_out_of_step_not_a_crash(string parents)
    {
        using var diffs = GitTreeDiffs.ForOutput(new MemoryStream(DiffTreeSection(parents, "1700000000 +0000")), [Commit]);
        Assert.Null(diffs.Next(Commit, 0));
        Assert.True(diffs.Failed);   // the walk goes on with libgit2
    }

    [Theory]
    [InlineData("99999999999999 +0000")]
    [InlineData("-99999999999999 +0000")]
    [InlineData("1700000000 +9900")]
    [InlineData("1700000000 -1500")]
    [InlineData("253402300799 +1400")]   // the last second DateTimeOffset holds in UTC, but not 14 hours east of it
    public void Diff_tree_date_out_of_range_is_out_of_step_not_a_crash(string date)
    {
        using var diffs = GitTreeDiffs.ForOutput(new MemoryStream(DiffTreeSection("", date)), [Commit]);
        Assert.Null(diffs.Next(Commit, 0));
        Assert.True(diffs.Failed);
    }

    [Fact]
    public void Diff_tree_valid_section_still_parses()
    {
        var parent = new ObjectId("2222222222222222222222222222222222222222");
        using var diffs = GitTreeDiffs.ForOutput(new MemoryStream(DiffTreeSection(parent.Sha, "1700000000 -0130")), [Commit]);
        var (meta, changes) = diffs.Next(Commit, 0)!.Value;
        Assert.Equal([parent], meta.Parents);
        Assert.Equal(new DateTimeOffset(2023, 11, 14, 22, 13, 20, TimeSpan.Zero), meta.Date);
        Assert.Equal(TimeSpan.FromMinutes(-90), meta.Date.Offset);
        Assert.Empty(changes);
    }

    // ---- pack .idx and pack entries ----

    /// <summary>A version-2 .idx for objects at <paramref name="offsets"/>, with ids 0x01.., 0x02.., ... and
    /// <paramref name="editFanout"/> applied to the fan-out table.</summary>
    private static byte[] Idx(uint[] offsets, Action<uint[]>? editFanout = null)
    {
        int n = offsets.Length;
        var fanout = new uint[256];
        for (int b = 0; b < 256; b++) fanout[b] = (uint)Math.Min(n, b);   // id k (1-based) starts with byte k
        editFanout?.Invoke(fanout);
        var idx = new byte[8 + 1024 + n * 28 + 40];
        BinaryPrimitives.WriteUInt32BigEndian(idx, 0xff744f63);
        BinaryPrimitives.WriteUInt32BigEndian(idx.AsSpan(4), 2);
        for (int b = 0; b < 256; b++) BinaryPrimitives.WriteUInt32BigEndian(idx.AsSpan(8 + 4 * b), fanout[b]);
        for (int k = 0; k < n; k++)
        {
            idx.AsSpan(1032 + 20 * k, 20).Fill((byte)(k + 1));
            BinaryPrimitives.WriteUInt32BigEndian(idx.AsSpan(1032 + 24 * n + 4 * k), offsets[k]);
        }
        return idx;
    }

    /// <summary>"PACK", version 2, <paramref name="count"/> entries, the entry bytes, a 20-byte trailer.</summary>
    private static byte[] Pack(int count, byte[] entries)
    {
        var pack = new byte[12 + entries.Length + 20];
        "PACK"u8.CopyTo(pack);
        BinaryPrimitives.WriteUInt32BigEndian(pack.AsSpan(4), 2);
        BinaryPrimitives.WriteUInt32BigEndian(pack.AsSpan(8), (uint)count);
        entries.CopyTo(pack, 12);
        return pack;
    }

    private string WritePack(byte[] idx, byte[] pack)
    {
        var path = _dir.WriteBytes("pack-test.pack", pack);
        _dir.WriteBytes("pack-test.idx", idx);
        return path;
    }

    /// <summary>Two blob entries of one byte each (a zlib stream of "x").</summary>
    private static readonly byte[] TwoBlobs = [0x31, 0x78, 0x9c, 0xab, 0x00, 0x00, 0x00, 0x79, 0x00, 0x79, 0x31, 0x78, 0x9c, 0xab, 0x00, 0x00, 0x00, 0x79, 0x00, 0x79];

    [Fact]
    public void Pack_reader_reads_the_synthetic_pack()
    {
        var path = WritePack(Idx([12, 22]), Pack(2, TwoBlobs));
        using var pack = PackFile.Open(path)!;
        var data = new byte[1];
        pack.Inflate(pack.Entry(1), data);
        Assert.Equal((byte)'x', data[0]);
    }

    [Fact]
    public void Pack_index_fanout_that_goes_down_is_not_read()
    {
        // The fuzzer's: a fan-out count above the object count sent Find past the id table (ArgumentOutOfRange).
        var idx = Idx([12, 22], fanout => fanout[1] = 200);
        var path = WritePack(idx, Pack(2, TwoBlobs));
        Assert.Null(PackIndex.Load(Path.ChangeExtension(path, ".idx")));
        PackReading.ReadAll(path);
    }

    [Theory]
    [InlineData(12u, 0x7fffffffu)]   // the fuzzer's: past the end; Inflate allocated the 2 GB it claimed
    [InlineData(12u, 12u)]           // two entries at one offset: an empty header (IndexOutOfRange)
    [InlineData(4u, 22u)]            // inside the pack header
    [InlineData(12u, 32u)]           // inside the trailing checksum
    public void Pack_index_offset_outside_the_pack_is_not_read_and_allocates_nothing(uint first, uint second)
    {
        var path = WritePack(Idx([first, second]), Pack(2, TwoBlobs));
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Null(PackFile.Open(path));
        PackReading.ReadAll(path);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20);
    }

    [Fact]
    public void Pack_cut_before_its_last_entry_is_not_read()
    {
        // The fuzzer's (pack-ref): the last entry ran to "the pack's length less the checksum", which came before
        // the entry's start: a negative read (ArgumentOutOfRange).
        var path = WritePack(Idx([12, 22]), Pack(2, TwoBlobs[..10]));
        Assert.Null(PackFile.Open(path));
    }

    [Fact]
    public void Pack_offset_delta_header_cut_by_the_next_entry_is_invalid_data()
    {
        // An offset-delta entry (type 6, size 0) whose base offset would be in the next entry's first byte.
        var path = WritePack(Idx([12, 13]), Pack(2, [0x60, .. TwoBlobs[10..]]));
        using var pack = PackFile.Open(path)!;
        var e = Assert.Throws<InvalidDataException>(() => pack.Entry(0));
        Assert.Contains("bad delta offset at 12", e.Message);
    }

    // ---- rule files: compiling a 20,000-character regex allocated 383 MB (the fuzzer's: "{" repeated, under (?i)) ----

    [Fact]
    public void Rule_regex_over_the_length_limit_is_a_usage_error_before_it_is_compiled()
    {
        var rule = "[long]\nregex = (?i)x" + new string('{', 20_000) + "\n";
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<InvalidInputException>(() => RuleFileParser.Parse(rule, "fuzz.rules"));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20);
        Assert.Equal("fuzz.rules:2: regex in rule 'long' is 20005 characters; at most 4096 are allowed", e.Message);
    }

    [Fact]
    public void Rule_regex_at_the_length_limit_still_compiles()
    {
        var rules = RuleFileParser.Parse("[long]\nregex = " + new string('a', RuleFileParser.MaxRegexLength) + "\n", "fuzz.rules");
        Assert.Single(rules);
    }

    // ---- delta data ----

    [Theory]
    [InlineData(new byte[] { 0x00, 0xff, 0x00, 0xff })]         // the fuzzer's: a copy with every argument flag and none of its bytes
    [InlineData(new byte[] { 0x05, 0x05, 0x91, 0x00 })]         // offset byte present, size byte missing
    public void Delta_cut_inside_a_copy_instruction_is_invalid_data(byte[] delta)
    {
        var (baseSize, targetSize) = PackDelta.Sizes(delta);
        var e = Assert.Throws<InvalidDataException>(() => PackDelta.Apply(new byte[baseSize], delta, new byte[targetSize], []));
        Assert.Contains("truncated", e.Message);
    }

    public void Dispose() => _dir.Dispose();
}

namespace KeyGuard.Sources.Git.Packs;

/// <summary>One instruction of a git delta: copy <see cref="Length"/> bytes from the base at <see cref="Source"/>
/// (or, for an insert, from the delta itself; Source is then -1) to the target at <see cref="Target"/>.</summary>
internal readonly record struct DeltaOp(int Target, int Source, int Length)
{
    public bool IsInsert => Source < 0;
}

/// <summary>git's delta format: base size, target size, then copy and insert instructions.</summary>
internal static class PackDelta
{
    /// <summary>The sizes a delta declares for its base and its result.</summary>
    public static (long Base, long Target) Sizes(ReadOnlySpan<byte> delta)
    {
        int pos = 0;
        long b = Varint(delta, ref pos), t = Varint(delta, ref pos);
        return (b, t);
    }

    /// <summary>Rebuilds the target from its base; records the instructions in <paramref name="ops"/> when given.</summary>
    public static void Apply(ReadOnlySpan<byte> baseBytes, ReadOnlySpan<byte> delta, Span<byte> target, List<DeltaOp>? ops)
    {
        int pos = 0;
        if (Varint(delta, ref pos) != baseBytes.Length || Varint(delta, ref pos) != target.Length)
            throw new InvalidDataException("delta sizes do not match its base");
        int written = 0;
        while (pos < delta.Length)
        {
            byte op = delta[pos++];
            if ((op & 0x80) != 0)
            {
                uint offset = 0, size = 0;
                // One argument byte per flag bit: a delta cut inside an instruction is damaged, not read past.
                if (pos + System.Numerics.BitOperations.PopCount((uint)op & 0x7f) > delta.Length)
                    throw new InvalidDataException("delta copy instruction is truncated");
                for (int bit = 0; bit < 4; bit++)
                    if ((op & (1 << bit)) != 0) offset |= (uint)delta[pos++] << (8 * bit);
                for (int bit = 0; bit < 3; bit++)
                    if ((op & (0x10 << bit)) != 0) size |= (uint)delta[pos++] << (8 * bit);
                if (size == 0) size = 0x10000;
                if (offset + (ulong)size > (ulong)baseBytes.Length || written + size > target.Length)
                    throw new InvalidDataException("delta copies outside its base or target");
                baseBytes.Slice((int)offset, (int)size).CopyTo(target[written..]);
                // git splits long copies into 64 KiB instructions: one run of the base is one copy here.
                if (ops is { Count: > 0 } && ops[^1] is { IsInsert: false } last && last.Source + last.Length == offset && last.Target + last.Length == written)
                    ops[^1] = last with { Length = last.Length + (int)size };
                else ops?.Add(new DeltaOp(written, (int)offset, (int)size));
                written += (int)size;
            }
            else if (op != 0)
            {
                if (pos + op > delta.Length || written + op > target.Length) throw new InvalidDataException("delta inserts past its end");
                delta.Slice(pos, op).CopyTo(target[written..]);
                // Inserts come 127 bytes at a time: a run of them is one insert here.
                if (ops is { Count: > 0 } && ops[^1] is { IsInsert: true } prior && prior.Target + prior.Length == written)
                    ops[^1] = prior with { Length = prior.Length + op };
                else ops?.Add(new DeltaOp(written, -1, op));
                written += op;
                pos += op;
            }
            else throw new InvalidDataException("delta has a reserved instruction");
        }
        if (written != target.Length) throw new InvalidDataException("delta leaves its target short");
    }

    private static long Varint(ReadOnlySpan<byte> data, ref int pos)
    {
        long value = 0;
        int shift = 0;
        byte c;
        do
        {
            if (pos >= data.Length || shift > 56) throw new InvalidDataException("delta header is truncated");
            c = data[pos++];
            value |= (long)(c & 0x7f) << shift;
            shift += 7;
        } while ((c & 0x80) != 0);
        return value;
    }
}

namespace KeyGuard.Tests.Fuzzing;

/// <summary>SplitMix64: a tiny seeded generator whose sequence never depends on the runtime version, so a failing
/// (seed, input number) pair reproduces anywhere.</summary>
internal sealed class FuzzRandom(ulong seed)
{
    private ulong _state = seed;

    public ulong NextULong()
    {
        ulong z = _state += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    /// <summary>0 ≤ result &lt; <paramref name="max"/> (0 when max ≤ 0).</summary>
    public int Next(int max) => max <= 0 ? 0 : (int)(NextULong() % (ulong)max);

    public int Next(int min, int max) => min + Next(max - min);

    public bool OneIn(int n) => Next(n) == 0;

    public T Pick<T>(IReadOnlyList<T> items) => items[Next(items.Count)];

    /// <summary>FNV-1a: a stable per-target seed from its name (string.GetHashCode changes every process).</summary>
    public static ulong StableHash(string text)
    {
        ulong h = 0xcbf29ce484222325;
        foreach (char c in text) { h ^= c; h *= 0x100000001b3; }
        return h;
    }
}

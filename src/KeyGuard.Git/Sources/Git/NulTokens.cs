namespace KeyGuard.Sources.Git;

/// <summary>
/// Reads the NUL-terminated tokens of git's <c>-z</c> output (diff-tree, log) from a stream, without a string per
/// token: a token is a span into the buffer, valid until the next read. The buffer grows for a very long token (a
/// commit message) and is kept when the reader moves to the next process's stream.
/// </summary>
internal sealed class NulTokens(int initialSize)
{
    private byte[] _buffer = new byte[initialSize];
    private int _start, _end;
    private Stream _stream = Stream.Null;

    /// <summary>True when the stream ended cleanly: right after a NUL, with no partial token left.</summary>
    public bool EndedCleanly { get; private set; }

    /// <summary>Reads from <paramref name="stream"/> from now on, dropping what was buffered of the last one.</summary>
    public void Reset(Stream stream)
    {
        _stream = stream;
        _start = _end = 0;
        EndedCleanly = false;
    }

    /// <summary>The next token; false at the end of the stream or when it cannot be read.</summary>
    public bool Next(out ReadOnlySpan<byte> token)
    {
        while (true)
        {
            int nul = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)0);
            if (nul >= 0)
            {
                token = _buffer.AsSpan(_start, nul);
                _start += nul + 1;
                return true;
            }
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            int n;
            try { n = _stream.Read(_buffer, _end, _buffer.Length - _end); }
            catch (IOException) { n = -1; }
            if (n <= 0)
            {
                EndedCleanly = n == 0 && _end == 0;
                token = default;
                return false;
            }
            _end += n;
        }
    }
}

using Amazon.Runtime;

namespace KeyGuard.Aws;

/// <summary>
/// Caps the size of every IAM and STS answer KeyGuard reads (reliability B30): a hostile or broken endpoint could
/// otherwise hand over gigabytes that are parsed and printed. Real answers are a few kilobytes; the credential report
/// (base64 of a CSV, at most 5,000 users per account) gets a larger cap.
/// </summary>
internal static class ResponseSizeLimit
{
    public const long Default = 10L * 1024 * 1024;
    public const long CredentialReport = 100L * 1024 * 1024;

    /// <summary>Per-request override of <see cref="Default"/> (set by the IAM transport for GetCredentialReport).</summary>
    public static readonly HttpRequestOptionsKey<long> Key = new("KeyGuard.ResponseSizeLimit");

    public static long For(string action) => action == "GetCredentialReport" ? CredentialReport : Default;

    internal static string Describe(long bytes) => $"{bytes / (1024.0 * 1024):0.#} MB";

    /// <summary>The <see cref="ResponseTooLargeException"/> in an exception chain (the SDK may wrap it), or null.</summary>
    internal static ResponseTooLargeException? Find(Exception? e)
    {
        for (; e != null; e = e.InnerException)
            if (e is ResponseTooLargeException tooLarge) return tooLarge;
        return null;
    }
}

/// <summary>An answer exceeded its size cap; not retried (the same endpoint would answer the same).</summary>
internal sealed class ResponseTooLargeException(long limit, int status)
    : Exception($"the response is larger than {ResponseSizeLimit.Describe(limit)}")
{
    public long Limit { get; } = limit;
    public int HttpStatus { get; } = status;
}

/// <summary>
/// Refuses a declared Content-Length over the cap and stops reading an undeclared (chunked) body at the cap, so memory
/// stays bounded whoever reads the body (our IAM transport, or the SDK's STS unmarshaller).
/// </summary>
internal sealed class ResponseSizeLimitHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        long limit = request.Options.TryGetValue(ResponseSizeLimit.Key, out var l) ? l : ResponseSizeLimit.Default;
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        if (response.Content.Headers.ContentLength > limit)
        {
            response.Dispose();
            throw new ResponseTooLargeException(limit, status);
        }
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var bounded = new StreamContent(new BoundedReadStream(body, limit, status));
        foreach (var header in response.Content.Headers) bounded.Headers.TryAddWithoutValidation(header.Key, header.Value);
        response.Content = bounded;
        return response;
    }

    /// <summary>Passes reads through and throws once more than the cap has been read.</summary>
    private sealed class BoundedReadStream(Stream inner, long limit, int status) : Stream
    {
        private long _read;

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));
        public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int n)
        {
            _read += n;
            if (_read > limit) throw new ResponseTooLargeException(limit, status);
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>Gives the SDK's STS client an HttpClient whose answers are size-capped like IAM's.</summary>
internal sealed class SizeLimitedHttpClientFactory : HttpClientFactory
{
    public override HttpClient CreateHttpClient(IClientConfig clientConfig) =>
        // Per-attempt timeouts come from AwsRetryPolicy (as for IAM); the system proxy settings still apply.
        new(new ResponseSizeLimitHandler(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })) { Timeout = Timeout.InfiniteTimeSpan };

    // Null: the SDK caches the client per STS client and disposes it with that client.
    public override string? GetConfigUniqueString(IClientConfig clientConfig) => null;
}

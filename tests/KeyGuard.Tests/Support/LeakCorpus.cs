using System.Text;

namespace KeyGuard.Tests.Support;

/// <summary>A generated file and the findings a perfect scanner reports in it: (rule, secret) pairs.</summary>
public sealed record CorpusSample(string Name, string Content, IReadOnlyList<(string Rule, string Secret)> Expected);

/// <summary>
/// Plants generated credentials where people really leak them, and writes hard negatives that fool weaker
/// scanners. Deterministic for a seed, built at test time: no credential-shaped literal is committed.
/// </summary>
public sealed class LeakCorpus(int seed)
{
    private readonly FakeCredentials _fake = new(seed);
    private const string Id = "aws-access-key-id", Sec = "aws-secret-access-key", Tok = "aws-session-token";

    private delegate CorpusSample Template(string id, string secret);

    public IEnumerable<CorpusSample> Positives(int perTemplate)
    {
        var templates = PositiveTemplates().ToList();
        for (int round = 0; round < perTemplate; round++)
            foreach (var (name, make) in templates)
            {
                var id = _fake.KeyId(_fake.Random.Next(4) == 0 ? "ASIA" : "AKIA", _fake.Account());
                yield return make(id, _fake.Secret()) with { Name = $"{name}#{round}" };
            }
    }

    private static CorpusSample S(string content, params (string, string)[] expected) => new("", content, expected);

    private IEnumerable<(string, Template)> PositiveTemplates()
    {
        yield return ("aws-credentials", (id, s) => S($"[default]\naws_access_key_id = {id}\naws_secret_access_key = {s}\nregion = us-east-1\n", (Id, id), (Sec, s)));
        yield return ("aws-credentials-session", (id, s) =>
        {
            var asia = _fake.KeyId("ASIA", _fake.Account());
            var t = _fake.SessionToken();
            return S($"[temp]\naws_access_key_id={asia}\naws_secret_access_key={s}\naws_session_token={t}\n", (Id, asia), (Sec, s), (Tok, t));
        });
        yield return ("dotenv", (id, s) => S($"DATABASE_URL=postgres://localhost/app\nAWS_ACCESS_KEY_ID={id}\nAWS_SECRET_ACCESS_KEY={s}\n", (Id, id), (Sec, s)));
        yield return ("shell-export", (id, s) => S($"#!/bin/sh\nexport AWS_ACCESS_KEY_ID=\"{id}\"\nexport AWS_SECRET_ACCESS_KEY=\"{s}\"\naws s3 ls\n", (Id, id), (Sec, s)));
        yield return ("python-boto3", (id, s) => S($"import boto3\n\ns3 = boto3.client(\n    's3',\n    aws_access_key_id='{id}',\n    aws_secret_access_key='{s}',\n)\n", (Id, id), (Sec, s)));
        yield return ("javascript", (id, s) => S($"const client = new S3Client({{\n  region: 'eu-west-1',\n  credentials: {{ accessKeyId: '{id}', secretAccessKey: '{s}' }},\n}});\n", (Id, id), (Sec, s)));
        yield return ("java", (id, s) => S($"AWSCredentials creds = new BasicAWSCredentials(\"{id}\", \"{s}\");\n", (Id, id), (Sec, s)));
        yield return ("csharp", (id, s) => S($"var credentials = new BasicAWSCredentials(\n    \"{id}\",\n    \"{s}\");\n", (Id, id), (Sec, s)));
        yield return ("go", (id, s) => S($"sess := session.Must(session.NewSession(&aws.Config{{\n\tCredentials: credentials.NewStaticCredentials(\"{id}\", \"{s}\", \"\"),\n}}))\n", (Id, id), (Sec, s)));
        yield return ("ruby", (id, s) => S($"Aws.config.update(\n  credentials: Aws::Credentials.new('{id}', '{s}')\n)\n", (Id, id), (Sec, s)));
        yield return ("php", (id, s) => S($"$s3 = new S3Client([\n    'credentials' => [\n        'key'    => '{id}',\n        'secret' => '{s}',\n    ],\n]);\n", (Id, id), (Sec, s)));
        yield return ("terraform", (id, s) => S($"provider \"aws\" {{\n  region     = \"us-west-2\"\n  access_key = \"{id}\"\n  secret_key = \"{s}\"\n}}\n", (Id, id), (Sec, s)));
        yield return ("github-actions", (id, s) => S($"jobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      AWS_ACCESS_KEY_ID: {id}\n      AWS_SECRET_ACCESS_KEY: {s}\n    steps:\n      - run: make deploy\n", (Id, id), (Sec, s)));
        yield return ("kubernetes", (id, s) => S($"apiVersion: v1\nkind: Secret\nmetadata:\n  name: aws\nstringData:\n  aws_access_key_id: \"{id}\"\n  aws_secret_access_key: \"{s}\"\n", (Id, id), (Sec, s)));
        yield return ("sts-json", (id, s) =>
        {
            var asia = _fake.KeyId("ASIA", _fake.Account());
            var t = _fake.SessionToken();
            return S($"{{\n  \"Credentials\": {{\n    \"AccessKeyId\": \"{asia}\",\n    \"SecretAccessKey\": \"{s}\",\n    \"SessionToken\": \"{t}\",\n    \"Expiration\": \"2026-11-28T12:00:00Z\"\n  }}\n}}\n", (Id, asia), (Sec, s), (Tok, t));
        });
        yield return ("xml-appsettings", (id, s) => S($"<appSettings>\n  <add key=\"AWSProfileName\" value=\"prod\" />\n  <add key=\"AWSAccessKey\" value=\"{id}\" />\n  <add key=\"AWSSecretKey\" value=\"{s}\" />\n</appSettings>\n", (Id, id), (Sec, s)));
        yield return ("java-properties", (id, s) => S($"app.name=billing\naws.accessKeyId={id}\naws.secretKey={s}\n", (Id, id), (Sec, s)));
        yield return ("dockerfile", (id, s) => S($"FROM python:3.12\nENV AWS_ACCESS_KEY_ID={id} \\\n    AWS_SECRET_ACCESS_KEY={s}\nCMD [\"python\", \"app.py\"]\n", (Id, id), (Sec, s)));
        yield return ("console-csv", (id, s) => S($"Access key ID,Secret access key\n{id},{s}\n", (Id, id), (Sec, s)));
        yield return ("jupyter", (id, s) => S($"{{\n \"cells\": [{{\n   \"cell_type\": \"code\",\n   \"source\": [\n    \"import os\\n\",\n    \"os.environ['AWS_ACCESS_KEY_ID'] = '{id}'\\n\",\n    \"os.environ['AWS_SECRET_ACCESS_KEY'] = '{s}'\\n\"\n   ]\n  }}]\n}}\n", (Id, id), (Sec, s)));
        yield return ("log-escaped-json", (id, s) => S($"2026-11-01T10:00:00Z INFO request body=\"{{\\\"accessKeyId\\\":\\\"{id}\\\",\\\"secretAccessKey\\\":\\\"{s}\\\"}}\" status=200\n", (Id, id), (Sec, s)));
        yield return ("markdown", (id, s) => S($"## Setup\n\nRun:\n\n```sh\naws configure set aws_access_key_id {id}\naws configure set aws_secret_access_key {s}\n```\n", (Id, id), (Sec, s)));
        yield return ("minified-js", (id, s) =>
        {
            var filler = string.Concat(Enumerable.Range(0, 400).Select(i => $"function f{i}(a,b){{return a+b*{i}}};"));
            return S(filler + $"var cfg={{accessKeyId:\"{id}\",secretAccessKey:\"{s}\"}};" + filler + "\n", (Id, id), (Sec, s));
        });
        yield return ("crlf", (id, s) => S($"AWS_ACCESS_KEY_ID={id}\r\nAWS_SECRET_ACCESS_KEY={s}\r\n", (Id, id), (Sec, s)));
        yield return ("presigned-url", (id, s) =>
        {
            var asia = _fake.KeyId("ASIA", _fake.Account());
            var t = _fake.SessionToken();
            var encoded = t.Replace("/", "%2F").Replace("+", "%2B").Replace("=", "%3D");
            return S($"url = \"https://bucket.s3.amazonaws.com/report.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={asia}%2F20261101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261101T000000Z&X-Amz-Expires=3600&X-Amz-Security-Token={encoded}&X-Amz-SignedHeaders=host&X-Amz-Signature={_fake.Hex(64)}\"\n", (Id, asia), (Tok, t));
        });
        yield return ("url-encoded-secret", (id, s) =>
            S($"POST /configure\nbody: access_key={id}&secret_key={s.Replace("/", "%2F").Replace("+", "%2B")}\n", (Id, id), (Sec, s)));
        yield return ("secret-only-yaml", (id, s) => S($"aws:\n  region: us-east-1\n  secret_access_key: {s}\n", (Sec, s)));
        yield return ("key-id-in-comment", (id, s) => S($"# the old deploy key {id} was rotated last week\n", (Id, id)));
        yield return ("mws", (id, s) => { var m = _fake.MwsToken(); return S($"MWS_SELLER_ID=A1B2C3\nMWS_AUTH_TOKEN={m}\n", ("amazon-mws-auth-token", m)); });
        yield return ("bedrock", (id, s) => { var b = _fake.BedrockKey(); return S($"export AWS_BEARER_TOKEN_BEDROCK={b}\n", ("amazon-bedrock-api-key", b)); });

        // Issue 14: session tokens under other names, paired with their temporary key.
        yield return ("ec2-metadata", (id, s) => Temporary((a, t) =>
            $"{{\n  \"Code\" : \"Success\",\n  \"LastUpdated\" : \"2026-12-06T10:00:00Z\",\n  \"Type\" : \"AWS-HMAC\",\n  \"AccessKeyId\" : \"{a}\",\n  \"SecretAccessKey\" : \"{s}\",\n  \"Token\" : \"{t}\",\n  \"Expiration\" : \"2026-12-06T16:00:00Z\"\n}}\n", s));
        yield return ("ecs-credentials", (id, s) => Temporary((a, t) =>
            $"{{\"RoleArn\":\"arn:aws:iam::{_fake.Account()}:role/task\",\"AccessKeyId\":\"{a}\",\"SecretAccessKey\":\"{s}\",\"Token\":\"{t}\",\"Expiration\":\"2026-12-06T16:00:00Z\"}}\n", s));
        yield return ("cli-cache", (id, s) => Temporary((a, t) =>
            $"{{\"Credentials\": {{\"AccessKeyId\": \"{a}\", \"SecretAccessKey\": \"{s}\", \"SessionToken\": \"{t}\", \"Expiration\": \"2026-12-06T11:00:00+00:00\"}}, \"AssumedRoleUser\": {{\"AssumedRoleId\": \"AROA{_fake.Chars(17, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}:botocore-session-1765015200\", \"Arn\": \"arn:aws:sts::{_fake.Account()}:assumed-role/deploy/botocore-session-1765015200\"}}}}", s));
        yield return ("session-yaml", (id, s) => Temporary((a, t) => $"aws:\n  key: {a}\n  secret: {s}\n  session: {t}\n", s));
        yield return ("token-yaml", (id, s) => Temporary((a, t) => $"credentials:\n  access_key: {a}\n  secret_key: {s}\n  token: \"{t}\"\n", s));
        yield return ("session-xml", (id, s) => Temporary((a, t) => $"<credentials>\n  <key>{a}</key>\n  <secret>{s}</secret>\n  <session>{t}</session>\n</credentials>\n", s));
        yield return ("positional-token", (id, s) => Temporary((a, t) => $"creds := credentials.NewStaticCredentials(\"{a}\", \"{s}\",\n\t\"{t}\")\n", s));
        yield return ("sso-cache", (id, s) =>
        {
            var token = "aoaAAAAAG" + _fake.Chars(_fake.Random.Next(300, 500), Base64Chars) + ":MGUCMQ" + _fake.Chars(120, Base64Chars);
            return S($"{{\"startUrl\": \"https://d-{_fake.Hex(10)}.awsapps.com/start\", \"region\": \"us-east-1\", \"accessToken\": \"{token}\", \"expiresAt\": \"2026-12-06T18:00:00Z\"}}", ("aws-sso-access-token", token));
        });
        // Encoded pairs and a secret after a dot.
        yield return ("unicode-escaped", (id, s) => S($"{{\"accessKeyId\":\"{Escaped(id)}\",\"secretAccessKey\":\"{Escaped(s)}\"}}\n", (Id, id), (Sec, s)));
        yield return ("html-entities", (id, s) => S($"<td>{Entities(id)}</td>\n<td>{Entities(s)}</td>\n", (Id, id), (Sec, s)));
        yield return ("jwt-payload", (id, s) => S($"token = \"{B64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}")}.{B64Url($"{{\"accessKeyId\":\"{id}\",\"secretAccessKey\":\"{s}\"}}")}.{_fake.Chars(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")}\"\n", (Id, id), (Sec, s)));
        yield return ("kubernetes-data", (id, s) => S($"apiVersion: v1\nkind: Secret\nmetadata:\n  name: aws\ntype: Opaque\ndata:\n  AWS_ACCESS_KEY_ID: {B64(id)}\n  AWS_SECRET_ACCESS_KEY: {B64(s)}\n", (Id, id), (Sec, s)));
        yield return ("docker-auths", (id, s) => S($"{{\n  \"auths\": {{\n    \"registry.example.com\": {{ \"auth\": \"{B64($"{id}:{s}")}\" }}\n  }}\n}}\n", (Id, id), (Sec, s)));
        yield return ("dotted-pair", (id, s) => S($"AWS_CREDENTIALS={id}.{s}\n", (Id, id), (Sec, s)));
        // Long base64 next to a temporary key that is no session token: only the key ID is reported.
        yield return ("blobs-near-temporary-key", (id, s) =>
        {
            var asia = _fake.KeyId("ASIA", _fake.Account());
            return S($"key: {asia}\nlogo: \"data:image/png;base64,{_fake.Chars(600, Base64Chars)}\"\nsha512: {_fake.Hex(128)}\n", (Id, asia));
        });
    }

    private const string Base64Chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    /// <summary>A temporary key, its secret and its session token in <paramref name="make"/>'s text: all three expected.</summary>
    private CorpusSample Temporary(Func<string, string, string> make, string secret)
    {
        var asia = _fake.KeyId("ASIA", _fake.Account());
        var token = _fake.SessionToken();
        return S(make(asia, token), (Id, asia), (Sec, secret), (Tok, token));
    }

    private static string Escaped(string s) => string.Concat(s.Select(c => $"\\u{(int)c:x4}"));
    private static string Entities(string s) => string.Concat(s.Select((c, i) => i % 3 == 0 ? $"&#{(int)c};" : i % 3 == 1 ? $"&#x{(int)c:x};" : c.ToString()));
    private static string B64(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s));
    private static string B64Url(string s) => B64(s).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Text that looks like credentials to a weaker scanner and must produce no finding.</summary>
    public IEnumerable<CorpusSample> Negatives(int perTemplate)
    {
        for (int round = 0; round < perTemplate; round++)
        {
            var hex40 = _fake.Hex(40);
            yield return N("example-keys", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n");
            yield return N("placeholders", "aws_access_key_id = AKIA" + new string('X', 16) + "\naws_secret_access_key = <YOUR_SECRET_ACCESS_KEY>\n" +
                "AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY}\nsecret: ${{ secrets.AWS_SECRET_ACCESS_KEY }}\n" +
                "secret_key = var.aws_secret_key\nsecret = os.environ['AWS_SECRET_ACCESS_KEY']\naws_secret_access_key=REDACTED\naws_secret_access_key=****************************************\n" +
                "aws_secret_access_key = XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\n");
            yield return N("git-sha", $"commit {hex40}\nsecret_sha = \"{_fake.Hex(40)}\"\nclient_secret: {_fake.Hex(40).ToUpperInvariant()}\n");
            yield return N("sha256", $"secret_digest = {_fake.Hex(64)}\nchecksum: sha256:{_fake.Hex(64)}\n");
            yield return N("uuid", $"secret_id = {Guid.NewGuid()}\nsession_token = {Guid.NewGuid()}\n");
            yield return N("jwt", $"session_token: {Jwt()}\nauthorization = Bearer {Jwt()}\n");
            yield return N("data-uri", $"<img alt=\"secret\" src=\"data:image/png;base64,{_fake.Chars(600, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}==\">\n");
            yield return N("lockfile", $"\"secret-handshake\": {{\n  \"version\": \"1.5.3\",\n  \"integrity\": \"sha512-{_fake.Chars(86, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}==\"\n}},\n\"resolved\": \"sha1-{_fake.Chars(27, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}=\"\n");
            yield return N("public-pem", "-----BEGIN PUBLIC KEY-----\n" + string.Join("\n", Enumerable.Range(0, 6).Select(_ => _fake.Chars(64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"))) + "\n" + _fake.Chars(40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") + "\n-----END PUBLIC KEY-----\n");
            yield return N("enum-words", // Built by concatenation so that no committed line looks like a key ID.
                $"enum Region {{ {"ASIA" + "PACIFICNORTHEAST"}, {"ASIA" + "SOUTHEASTREGIONS"}, {"ACCA" + "OUNTSTATUSACTIVE"} }}\nmarket = \"{"AKIA" + "MARKETSUMMERSALE"}\"\n");
            yield return N("bad-charset", $"id = AKIA{_fake.Chars(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0189")}0189\nkey: ASIA{_fake.Chars(12, "ABCDEFGH")}1890\n");
            yield return N("unique-ids", $"role_id = AROA{_fake.Chars(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}\nuser_id = AIDA{_fake.Chars(16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}\n");
            yield return N("low-entropy-secret", "aws_secret_access_key = aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd\nsecret = abcdABCDabcdABCDabcdABCDabcdABCDabcd1234\n");
            yield return N("words-secret", "secret_message = TheQuickBrownFoxJumpsOverTheLazyDogAgain1\n");
            // Issue 14: long base64 near keys that is no session token, encoded text without credentials, identifiers.
            yield return N("token-near-long-term-key", $"aws_access_key_id: AKIA" + new string('X', 16) + $"\ntoken: {_fake.SessionToken()}\nauth_token = {_fake.SessionToken()}\n");
            yield return N("certificate", $"token: {_fake.SessionToken()}\ncertificate: {_fake.Chars(800, Base64Chars)}\n");
            yield return N("encoded-text", $"title: \"Caf\\u00e9 &#233;t&eacute; &amp; more\"\nconfig: {B64("{\"region\": \"us-east-1\", \"output\": \"json\", \"secret_name\": \"prod/db\"}")}\njwt: {Jwt()}\n");
            yield return N("word-identifiers", $"DEPLOY_TARGET = \"{"AKIA" + "PRODUCTIONDEPLOY"}\"\nVIEW = {"ACCA" + "PAYMENTSCHEDULED"}\nSTREAM = {"AKIA" + "MONITORINGSTREAM"}\n");
            yield return N("sso-like-oauth", $"{{\"accessToken\": \"aoaAAAAAG{_fake.Chars(300, Base64Chars)}\", \"tokenType\": \"Bearer\", \"expiresAt\": 1765044000}}\n");
        }
    }

    private string Jwt()
    {
        string B64Url(string s) => Convert.ToBase64String(Encoding.UTF8.GetBytes(s)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return B64Url("{\"alg\":\"HS256\",\"typ\":\"JWT\"}") + "." + B64Url($"{{\"sub\":\"{_fake.Hex(16)}\",\"name\":\"{_fake.Chars(30, "abcdefghijklmnopqrstuvwxyz ")}\",\"iat\":1516239022,\"scope\":\"read write admin billing\"}}") + "." + _fake.Chars(43, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    }

    private static CorpusSample N(string name, string content) => new(name, content, []);
}

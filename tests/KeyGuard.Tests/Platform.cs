// The suite runs real git, real processes and Unix file modes: it is a Linux (and macOS) suite, as CI runs it.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
[assembly: System.Runtime.Versioning.SupportedOSPlatform("macos")]

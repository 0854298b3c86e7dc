using System.Text.Json;
using System.Text.Json.Serialization;

namespace PingActors.Node.Configuration;

/// <summary>Writes a value from outside a file (a command-line flag, an environment variable) as a HOCON string.</summary>
internal static class HoconString
{
    /// <summary>
    /// A JSON string is a valid HOCON quoted string, so System.Text.Json does the escaping; through the
    /// source-generated context, because the reflection-based serializer is off in a native (AOT) build.
    /// </summary>
    public static string Quote(string value) => JsonSerializer.Serialize(value, HoconStringJson.Default.String);
}

[JsonSerializable(typeof(string))]
internal sealed partial class HoconStringJson : JsonSerializerContext;

namespace PingActors.Node.Configuration;

/// <summary>A syntax problem in one HOCON text: where, under which key, what was expected and what was found.</summary>
public sealed class HoconSyntaxException(int line, string? key, string expected, string got)
    : Exception($"line {line}: {key}: expected {expected}, got {got}")
{
    public int Line { get; } = line;

    public string? Key { get; } = key;

    public string Expected { get; } = expected;

    public string Got { get; } = got;
}

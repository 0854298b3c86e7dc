namespace PingActors.Actors.Bridge.Framing;

/// <summary>The framings by name, as a websocksy backend or route file names them, with their configs.</summary>
public static class Framings
{
    public const string Names = "auto, binary, separator, newline, fixedlength, dynamic32 or json";

    /// <summary>The default: each read as one message, text when it is valid UTF-8.</summary>
    public static IFraming Auto => AutoFraming.Instance;

    /// <summary>
    /// For the node's own config, read at start: the framing, or a <see cref="FramingConfigException"/> whose
    /// one-line message names the framing, what was expected and what was got. A missing or empty name means
    /// <c>auto</c> (websocksy's default). <c>auto</c>, <c>binary</c> and <c>json</c> take no config: a non-empty one
    /// is refused, since it is likely meant for another framing.
    /// </summary>
    public static IFraming Parse(string? name, string? config) => name switch
    {
        null or "" or "auto" => NoConfig(Auto, config),
        "binary" => NoConfig(BinaryFraming.Instance, config),
        "json" => NoConfig(JsonFraming.Instance, config),
        "separator" => SeparatorFraming.Parse(config),
        "newline" => NewlineFraming.TryParse(config)
            ?? throw new FramingConfigException($"framing newline: {NewlineFraming.Expected}, got {ConfigText.Quote(config)}"),
        "fixedlength" => FixedLengthFraming.Parse(config),
        "dynamic32" => Dynamic32Framing.Parse(config),
        _ => throw new FramingConfigException($"unknown framing {ConfigText.Quote(name)}: expected {Names}"),
    };

    /// <summary>
    /// For route files and backends, read per connection, where a mistake must not fail the connection: never
    /// throws, and tells <paramref name="warn"/> (one line) whenever it chose something other than what was asked.
    /// An unknown name falls back to <c>auto</c>, as in websocksy. A bad config for a known framing falls back to
    /// <c>auto</c> too, except <c>newline</c>, which uses <c>crlf</c> as websocksy does for anything it does not
    /// know, and <c>auto</c>/<c>binary</c>/<c>json</c>, which ignore a config as websocksy does.
    /// </summary>
    public static IFraming ParseOrAuto(string? name, string? config, Action<string> warn)
    {
        switch (name)
        {
            case "auto" or "binary" or "json" when !string.IsNullOrEmpty(config):
                warn($"framing {name}: expected no config, got {ConfigText.Quote(config)}; ignoring it");
                return Parse(name, null);
            case "newline" when NewlineFraming.TryParse(config) is null:
                warn($"framing newline: {NewlineFraming.Expected}, got {ConfigText.Quote(config)}; using crlf");
                return NewlineFraming.Crlf;
        }

        try
        {
            return Parse(name, config);
        }
        catch (FramingConfigException e)
        {
            warn($"{e.Message}; using auto");
            return Auto;
        }
    }

    private static IFraming NoConfig(IFraming framing, string? config) =>
        string.IsNullOrEmpty(config)
            ? framing
            : throw new FramingConfigException($"framing {framing.Name}: expected no config, got {ConfigText.Quote(config)}");
}

using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace PingActors.Node.Ops.Console;

/// <summary>
/// The console's messages between nodes (<see cref="IConsoleWireMessage"/>), bound in hocon/reference.conf. JSON
/// (source-generated, so native builds keep it): a page refresh a second per open console, not a message path.
/// </summary>
public sealed class ConsoleWireSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    // Away from the ids next to the hub's and the proxy's (4711, 4712), which other features may take.
    public const int Id = 4720;

    private const string GetManifest = "CG";
    private const string FiguresManifest = "CF";

    public override int Identifier => Id;

    public override string Manifest(object o) => o switch
    {
        GetNodeFigures => GetManifest,
        NodeFigures => FiguresManifest,
        _ => throw new ArgumentException($"{o.GetType()} is not a console wire message", nameof(o)),
    };

    public override byte[] ToBinary(object obj) => obj switch
    {
        GetNodeFigures => [],
        NodeFigures f => JsonSerializer.SerializeToUtf8Bytes(f, ConsoleWireJson.Default.NodeFigures),
        _ => throw new ArgumentException($"{obj.GetType()} is not a console wire message", nameof(obj)),
    };

    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        GetManifest => GetNodeFigures.Instance,
        FiguresManifest => JsonSerializer.Deserialize(bytes, ConsoleWireJson.Default.NodeFigures)
            ?? throw new SerializationException("console figures: null"),
        _ => throw new SerializationException($"unknown console manifest {manifest}"),
    };
}

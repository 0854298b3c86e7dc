using PingActors.Actors.Bridge.Backends;

namespace PingActors.Tests.Bridge.Backends;

/// <summary>pingactors.bridge.backend: the built-ins, and a backend of your own loaded by path (the example project).</summary>
public sealed class BackendFactorySpecs
{
    private const string ExampleType = "PingActors.Bridge.ExampleBackend.EchoPortBackend, PingActors.Bridge.ExampleBackend";

    // tests/PingActors.Tests.csproj builds the example and copies it here, away from the test's own assemblies.
    private static readonly string ExamplePath = Path.Combine(AppContext.BaseDirectory, "example-backend", "PingActors.Bridge.ExampleBackend.dll");

    private static PeerChoice? Choose(IBridgeBackend backend, string endpoint, params string[] offered) =>
        backend.ChooseAsync(new BridgeRequest(endpoint, offered, []), CancellationToken.None).AsTask().GetAwaiter().GetResult();

    private static BackendConfigurationException Fails(BackendSettings settings) =>
        Assert.Throws<BackendConfigurationException>(() => BackendFactory.Create(settings));

    [Fact]
    public void Default_builds_the_default_backend_from_its_keys()
    {
        var backend = BackendFactory.Create(new BackendSettings("default", Host: "udp://10.1.1.1", Port: 9, Framing: "binary", Protocol: "*"));

        var choice = Choose(backend, "/", "p1")!;
        Assert.IsType<DefaultBackend>(backend);
        Assert.Equal(new PeerChoice(new Uri("udp://10.1.1.1:9"), "p1", "binary", null), choice);
    }

    [Fact]
    public void File_needs_a_path_and_expressions()
    {
        Assert.IsType<FileBackend>(BackendFactory.Create(new BackendSettings("file", Path: "/tmp", Expressions: ["%endpoint%"])));
        Assert.Equal("path", Fails(new BackendSettings("file", Expressions: ["x"])).Key);
        Assert.Equal("expressions", Fails(new BackendSettings("file", Path: "/tmp")).Key);
        Assert.Equal("host", Fails(new BackendSettings("default", Host: "ftp://x")).Key);
    }

    [Fact]
    public void A_user_backend_loads_by_path_with_its_settings()
    {
        var backend = BackendFactory.Create(new BackendSettings(ExampleType, Assembly: ExamplePath, Settings: new Dictionary<string, string> { ["framing"] = "newline", ["framing-config"] = "lf" }));

        Assert.Equal("EchoPortBackend", backend.GetType().Name);
        Assert.Equal(new PeerChoice(new Uri("tcp://127.0.0.1:7001"), "chat", "newline", "lf"), Choose(backend, "/echo/7001", "chat"));
        Assert.Equal(new PeerChoice(new Uri("tcp://127.0.0.1:7002"), null, "json", null), Choose(backend, "/echo/7002?framing=json"));
        Assert.Null(Choose(backend, "/other/7001"));
        Assert.Null(Choose(backend, "/echo/80"));
    }

    [Fact]
    public void A_user_backend_rejecting_its_settings_names_the_settings_key()
    {
        var e = Fails(new BackendSettings(ExampleType, Assembly: ExamplePath, Settings: new Dictionary<string, string> { ["colour"] = "red" }));

        Assert.Equal("settings", e.Key);
        Assert.Contains("colour", e.Message);
    }

    [Fact]
    public void A_missing_assembly_file_names_the_assembly_key()
    {
        var e = Fails(new BackendSettings(ExampleType, Assembly: "/nonexistent/backend.dll"));

        Assert.Equal("assembly", e.Key);
        Assert.Contains("/nonexistent/backend.dll", e.Message);
    }

    [Fact]
    public void A_type_the_assembly_lacks_or_from_another_assembly_names_the_type_key()
    {
        Assert.Equal("type", Fails(new BackendSettings("PingActors.Bridge.ExampleBackend.Nope, PingActors.Bridge.ExampleBackend", Assembly: ExamplePath)).Key);
        Assert.Equal("type", Fails(new BackendSettings("PingActors.Bridge.ExampleBackend.EchoPortBackend, Other", Assembly: ExamplePath)).Key);
    }

    [Fact]
    public void A_type_that_is_no_backend_or_has_no_usable_constructor_is_refused()
    {
        var notBackend = Fails(new BackendSettings("System.Text.StringBuilder, System.Runtime"));
        Assert.Equal("type", notBackend.Key);
        Assert.Contains("IBridgeBackend", notBackend.Message);

        var noCtor = Fails(new BackendSettings(typeof(NeedsAnInt).AssemblyQualifiedName!));
        Assert.Contains("constructor", noCtor.Message);

        var noSettings = Fails(new BackendSettings(typeof(TakesNothing).AssemblyQualifiedName!, Settings: new Dictionary<string, string> { ["a"] = "1" }));
        Assert.Equal("settings", noSettings.Key);
    }

    [Fact]
    public void A_type_found_by_name_without_an_assembly_path_works()
    {
        Assert.IsType<TakesNothing>(BackendFactory.Create(new BackendSettings(typeof(TakesNothing).AssemblyQualifiedName!)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("websocket")]
    [InlineData("No.Such.Type, NoSuchAssembly")]
    public void An_unknown_type_names_the_type_key(string type) => Assert.Equal("type", Fails(new BackendSettings(type)).Key);

    public sealed class NeedsAnInt(int value) : IBridgeBackend
    {
        public int Value { get; } = value;

        public ValueTask<PeerChoice?> ChooseAsync(BridgeRequest request, CancellationToken cancellationToken) => default;
    }

    public sealed class TakesNothing : IBridgeBackend
    {
        public ValueTask<PeerChoice?> ChooseAsync(BridgeRequest request, CancellationToken cancellationToken) => default;
    }
}

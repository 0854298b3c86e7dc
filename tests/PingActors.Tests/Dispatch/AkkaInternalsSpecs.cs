using System.Collections.Concurrent;
using System.Reflection;
using Akka.Actor;
using Akka.Configuration;
using Akka.Dispatch;
using Akka.Dispatch.MessageQueues;
using Akka.TestKit.Xunit2;
using PingActors.Actors.Dispatch;

namespace PingActors.Tests.Dispatch;

/// <summary>
/// What the node relies on past Akka's public API (src/PingActors.Actors/Dispatch/AkkaInternals.cs), checked
/// against the Akka it is built with: if an upgrade changes any of it, these fail before the node does.
/// </summary>
public sealed class AkkaInternalsSpecs : TestKit
{
    private static readonly ConcurrentQueue<Type?> RunQueues = new();

    public AkkaInternalsSpecs()
        : base(ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            lean-dispatcher {
              type = Dispatcher
              executor = default-executor
              mailbox-type = "PingActors.Actors.Dispatch.LeanMailbox, PingActors.Actors"
            }
            recording-dispatcher {
              type = Dispatcher
              executor = "PingActors.Tests.Dispatch.RecordingExecutorConfigurator, PingActors.Tests"
              mailbox-type = "PingActors.Actors.Dispatch.LeanMailbox, PingActors.Actors"
            }
            dedicated-dispatcher {
              dedicated-thread-pool.thread-count = 1
            }
            """))
    {
    }

    [Fact]
    public void Every_Akka_assembly_the_node_loads_is_of_one_version()
    {
        var assemblies = new[]
        {
            typeof(ActorSystem).Assembly,
            typeof(Akka.Streams.ActorMaterializer).Assembly,
            typeof(Akka.Remote.RemoteSettings).Assembly,
            typeof(Akka.Cluster.Cluster).Assembly,
            typeof(Akka.Cluster.Sharding.ClusterSharding).Assembly,
            typeof(Akka.Cluster.Tools.Singleton.ClusterSingletonManager).Assembly,
            typeof(Akka.DistributedData.DistributedData).Assembly,
            typeof(Akka.Coordination.Lease).Assembly,
            typeof(Akka.Hosting.ActorRegistry).Assembly,
            typeof(Akka.Cluster.Hosting.AkkaClusterHostingExtensions).Assembly,
        };

        var versions = assemblies
            .Select(a => (a.GetName().Name, Version: a.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0]))
            .ToList();
        Assert.True(versions.Select(v => v.Version).Distinct().Count() == 1, string.Join(", ", versions.Select(v => $"{v.Name} {v.Version}")));
    }

    [Fact]
    public void An_actor_finds_the_queue_its_mailbox_type_made_through_its_context()
    {
        var actor = Sys.ActorOf(Props.Create(() => new QueueReporter()).WithDispatcher("lean-dispatcher"));

        actor.Tell("which queue?");

        Assert.Equal(typeof(LeanMessageQueue), ExpectMsg<Type>());
    }

    [Fact]
    public void An_executor_is_handed_the_mailbox_and_finds_its_queue()
    {
        var actor = Sys.ActorOf(Props.Create(() => new QueueReporter()).WithDispatcher("recording-dispatcher"));

        actor.Tell("which queue?");

        ExpectMsg<Type>();
        Assert.Contains(typeof(LeanMessageQueue), RunQueues);
    }

    [Fact]
    public async Task Dedicated_threads_come_from_a_dispatcher_section_and_are_not_the_pools()
    {
        var prerequisites = ((ExtendedActorSystem)Sys).Dispatchers.Prerequisites;
        var executor = AkkaInternals.DedicatedThreads("dedicated", Sys.Settings.Config.GetConfig("dedicated-dispatcher"), prerequisites);
        var ran = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

        executor.Execute(new ActionRunnable(() => ran.SetResult(Thread.CurrentThread.IsThreadPoolThread)));

        Assert.False(await ran.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        executor.Shutdown();
    }

    internal static void Record(IRunnable run) => RunQueues.Enqueue(AkkaInternals.MessageQueueOf(run)?.GetType());

    private sealed class QueueReporter : UntypedActor
    {
        protected override void OnReceive(object message) => Sender.Tell(AkkaInternals.MessageQueueOf(Context)?.GetType() ?? typeof(void));
    }
}

/// <summary>An executor that records, for each run it is handed, the queue <see cref="AkkaInternals"/> finds in it.</summary>
public sealed class RecordingExecutorConfigurator(Config config, IDispatcherPrerequisites prerequisites) : ExecutorServiceConfigurator(config, prerequisites)
{
    public override ExecutorService Produce(string id) => new RecordingExecutor(id);

    private sealed class RecordingExecutor(string id) : ExecutorService(id)
    {
        public override void Execute(IRunnable run)
        {
            AkkaInternalsSpecs.Record(run);
            ThreadPool.UnsafeQueueUserWorkItem(static r => r.Run(), run, preferLocal: false);
        }

        public override void Shutdown()
        {
        }
    }
}

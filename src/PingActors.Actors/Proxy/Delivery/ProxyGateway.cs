using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using PingActors.Actors.Dispatch;

namespace PingActors.Actors.Proxy.Delivery;

/// <summary>
/// This node's door for other nodes' /send and /close (cluster mode, kuiperbelt#38): it delivers to the
/// sessions this node holds and answers per key, and it keeps <see cref="ProxyPeers"/> current with the
/// gateways of the other Up members. docs/design.md ("Proxy: reaching a session from any node") has why
/// sessions are found by asking the other nodes rather than through a sharded entity or a replicated directory.
/// </summary>
public sealed class ProxyGateway : ReceiveActor, IWithTimers
{
    public const string Name = "proxy-gateway";

    private static readonly TimeSpan ResolveTimeout = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ResolveRetry = TimeSpan.FromSeconds(2);

    private readonly SessionDirectory _directory;
    private readonly ProxyPeers _peers;
    private readonly Cluster _cluster = Cluster.Get(Context.System);
    private readonly HashSet<Address> _members = [];
    private readonly Dictionary<Address, IActorRef> _gateways = [];

    public ProxyGateway(SessionDirectory directory, ProxyPeers peers)
    {
        _directory = directory;
        _peers = peers;

        Receive<RemoteDeliver>(m => Sender.Tell(new RemoteDelivered(m.Id, LocalDelivery.Deliver(_directory, m.Keys, m.Payload, m.Close))));
        Receive<RemoteLookup>(m => Sender.Tell(new RemoteFound(m.Id, m.Keys.Select(k => _directory.TryGet(k, out _)).ToArray())));
        Receive<RemoteDeliverBatch>(batch => Sender.Tell(new RemoteDeliveredBatch(
            batch.Items.Select(m => new RemoteDelivered(m.Id, LocalDelivery.Deliver(_directory, m.Keys, m.Payload, m.Close))).ToArray())));
        Receive<RemoteDescribe>(m => Sender.Tell(new RemoteDescribed(m.Id, Describe(_directory, m.Key, _cluster.SelfAddress.ToString()))));
        Receive<RemoteDescribed>(m => _peers.Pending.Complete(m.Id, m));
        Receive<RemoteDelivered>(m => _peers.Pending.Complete(m.Id, m));
        Receive<RemoteDeliveredBatch>(batch =>
        {
            foreach (var answer in batch.Items)
            {
                _peers.Pending.Complete(answer.Id, answer);
            }
        });
        Receive<RemoteFound>(m => _peers.Pending.Complete(m.Id, m));
        Receive<ClusterEvent.MemberUp>(up => Track(up.Member.Address));
        Receive<ClusterEvent.MemberRemoved>(removed => Forget(removed.Member.Address));
        Receive<Resolve>(r => StartResolving(r.Address));
        Receive<Resolved>(OnResolved);
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    public static Props PropsFor(SessionDirectory directory, ProxyPeers peers) =>
        Props.Create(() => new ProxyGateway(directory, peers)).WithDispatcher(SessionDispatcher.Id);

    protected override void PreStart()
    {
        _peers.Local = Self;
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.MemberUp), typeof(ClusterEvent.MemberRemoved));
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        _peers.Publish([]);
    }

    /// <summary>This node's session <paramref name="key"/>, described; null when it holds none.</summary>
    public static ConnectionInfo? Describe(SessionDirectory directory, string key, string node) =>
        directory.TryGet(key, out var s) ? new ConnectionInfo(s.Key, s.Face, s.ConnectedAt, s.Activity.LastActiveAt, node, s.RemoteAddress) : null;

    private void Track(Address address)
    {
        if (address != _cluster.SelfAddress && _members.Add(address))
        {
            StartResolving(address);
        }
    }

    private void Forget(Address address)
    {
        _members.Remove(address);
        Timers.Cancel(address);
        if (_gateways.Remove(address))
        {
            _peers.Publish(_gateways.Values.ToArray());
        }
    }

    private void StartResolving(Address address)
    {
        if (!_members.Contains(address))
        {
            return;
        }

        Context.ActorSelection(new RootActorPath(address) / "user" / Name)
            .ResolveOne(ResolveTimeout)
            .PipeTo(Self, success: gateway => new Resolved(address, gateway), failure: _ => new Resolved(address, null));
    }

    private void OnResolved(Resolved resolved)
    {
        if (!_members.Contains(resolved.Address))
        {
            return;
        }

        if (resolved.Gateway is null)
        {
            // Not started there yet, or that node runs without the proxy: asked again while it is a member.
            Context.GetLogger().Debug("No proxy gateway at {0} yet; retrying in {1}", resolved.Address, ResolveRetry);
            Timers.StartSingleTimer(resolved.Address, new Resolve(resolved.Address), ResolveRetry);
            return;
        }

        _gateways[resolved.Address] = resolved.Gateway;
        _peers.Publish(_gateways.Values.ToArray());
    }

    private sealed record Resolve(Address Address);

    private sealed record Resolved(Address Address, IActorRef? Gateway);
}

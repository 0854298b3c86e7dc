using Akka.IO;
using Akka.Streams;
using Akka.Streams.Stage;
using PingActors.Actors.Sessions;

namespace PingActors.Actors.Bridge.Framing;

/// <summary>
/// The stage behind every framing that holds bytes back and is not length-prefixed: it keeps the pending
/// bytes in one array and lets a <see cref="RecordCutter"/> find record ends in them.
/// </summary>
/// <remarks>
/// Our own stage rather than Akka's <c>Framing.Delimiter</c>: Delimiter strips the delimiter (websocksy keeps
/// it in the message) and at the end of the stream hands its truncated tail out looking like any other frame,
/// so the delimiter could not be put back reliably; JSON values, fixed lengths and UTF-8 tails have no
/// Akka stage at all. Upstream is pulled only when no whole record is pending, so a slow client holds the
/// peer back, and records are pushed one per pull.
/// </remarks>
internal sealed class RecordStage : GraphStage<FlowShape<ByteString, Payload>>
{
    private readonly string _framing;
    private readonly Func<RecordCutter> _newCutter;
    private readonly int _maxMessageSize;

    public RecordStage(string framing, Func<RecordCutter> newCutter, int maxMessageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxMessageSize);
        _framing = framing;
        _newCutter = newCutter;
        _maxMessageSize = maxMessageSize;
        Shape = new FlowShape<ByteString, Payload>(In, Out);
    }

    public Inlet<ByteString> In { get; } = new("framing.in");

    public Outlet<Payload> Out { get; } = new("framing.out");

    public override FlowShape<ByteString, Payload> Shape { get; }

    protected override GraphStageLogic CreateLogic(Attributes inheritedAttributes) => new Logic(this);

    private const int RetainedBuffer = 64 * 1024;

    private sealed class Logic : InAndOutGraphStageLogic
    {
        private readonly RecordStage _stage;
        private readonly RecordCutter _cutter;
        private byte[] _buffer = Array.Empty<byte>();
        private int _start;
        private int _count;

        public Logic(RecordStage stage) : base(stage.Shape)
        {
            _stage = stage;
            _cutter = stage._newCutter();
            SetHandlers(stage.In, stage.Out, this);
        }

        private ReadOnlySpan<byte> Pending => _buffer.AsSpan(_start, _count);

        public override void OnPush()
        {
            Append(Grab(_stage.In));
            Advance();
        }

        public override void OnPull() => Advance();

        // Records may still be pending; they go out as they are pulled, and Advance finishes after them.
        public override void OnUpstreamFinish()
        {
            if (IsAvailable(_stage.Out))
            {
                Advance();
            }
        }

        // Called only while Out is available: either pushes one record, or pulls for more, or finishes.
        private void Advance()
        {
            if (_count > 0)
            {
                Cut cut;
                try
                {
                    cut = _cutter.Next(Pending);
                }
                catch (FramingException e)
                {
                    FailStage(e);
                    return;
                }

                if (cut.Length > 0)
                {
                    if (cut.Length > _stage._maxMessageSize)
                    {
                        FailStage(TooLarge());
                        return;
                    }

                    Push(_stage.Out, Take(cut));
                    return;
                }

                if (_count > _stage._maxMessageSize)
                {
                    FailStage(TooLarge());
                    return;
                }
            }

            if (IsClosed(_stage.In))
            {
                Finish();
            }
            else if (!HasBeenPulled(_stage.In))
            {
                Pull(_stage.In);
            }
        }

        private void Finish()
        {
            var tail = _count > 0 ? _cutter.AtEnd(Pending) : Cut.None;
            if (tail.Length > 0)
            {
                Push(_stage.Out, Take(tail));
            }

            CompleteStage();
        }

        private FramingException TooLarge() =>
            new($"framing {_stage._framing}: no {_cutter.Awaiting} within {_stage._maxMessageSize} bytes");

        private Payload Take(Cut cut)
        {
            var bytes = _buffer.AsSpan(_start, cut.Length).ToArray();
            _start += cut.Length;
            _count -= cut.Length;
            if (_count == 0)
            {
                _start = 0;
                if (_buffer.Length > RetainedBuffer)
                {
                    // An idle connection should not keep the array its largest record needed.
                    _buffer = Array.Empty<byte>();
                }
            }

            return new Payload(cut.IsText, bytes);
        }

        private void Append(ByteString chunk)
        {
            if (chunk.IsEmpty)
            {
                return;
            }

            if (_start + _count + chunk.Count > _buffer.Length)
            {
                // Slide the pending bytes to the front, and grow only when they really need the room.
                var needed = _count + chunk.Count;
                var target = needed > _buffer.Length ? new byte[Math.Max(needed, _buffer.Length * 2)] : _buffer;
                Array.Copy(_buffer, _start, target, 0, _count);
                _buffer = target;
                _start = 0;
            }

            chunk.ToReadOnlySpan().CopyTo(_buffer.AsSpan(_start + _count));
            _count += chunk.Count;
        }
    }
}

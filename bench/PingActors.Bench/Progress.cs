using System.Diagnostics;
using Spectre.Console;

namespace PingActors.Bench;

/// <summary>
/// A progress bar on stderr (Spectre.Console) for the long phases of a run, only when stderr is a terminal;
/// otherwise a log line a second, as before. The JSON line on stdout is never touched.
/// Set PINGACTORS_BENCH_NO_PROGRESS=1 to force the plain log lines.
/// </summary>
internal static class LiveProgress
{
    public static bool Enabled =>
        !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("PINGACTORS_BENCH_NO_PROGRESS") is null or "" or "0";

    /// <summary>Polls current() until done() is true (checked every 100 ms).</summary>
    public static async Task RunAsync(string title, double total, Func<double> current, Func<bool> done, Func<string>? detail = null)
    {
        if (!Enabled)
        {
            var sw = Stopwatch.StartNew();
            var nextLog = 1.0;
            while (!done())
            {
                await Task.Delay(100);
                if (sw.Elapsed.TotalSeconds >= nextLog)
                {
                    nextLog += 1;
                    Delivery.Log($"  {title} {current():N0}/{total:N0}{(detail is null ? "" : ", " + detail())}");
                }
            }

            return;
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error),
            Interactive = InteractionSupport.Yes,
        });
        await console.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(1, total));
                while (!done())
                {
                    task.Value = Math.Min(current(), task.MaxValue);
                    if (detail is not null)
                    {
                        task.Description = Markup.Escape($"{title} {current():N0}/{total:N0} ({detail()})");
                    }

                    await Task.Delay(100);
                }

                task.Value = Math.Min(current(), task.MaxValue);
                if (detail is not null)
                {
                    task.Description = Markup.Escape($"{title} {current():N0}/{total:N0} ({detail()})");
                }

                task.StopTask();
            });
    }
}

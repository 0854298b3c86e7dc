using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace PingActors.Bench;

/// <summary>An ordered set of results, printed as a table (for people) and as one JSON line (for scripts).</summary>
internal sealed class Report(string scenario)
{
    private readonly List<(string Key, object? Value, string Label)> _rows = [];

    public void Add(string key, object? value, string? label = null) => _rows.Add((key, value, label ?? key));

    public void Print(string? jsonOut)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"PingActors.Bench: {scenario}");
        table.AddColumn("metric");
        table.AddColumn(new TableColumn("value").RightAligned());
        foreach (var (_, value, label) in _rows)
        {
            table.AddRow(Markup.Escape(label), Markup.Escape(Format(value)));
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        console.Write(table);

        var json = ToJson();
        Console.Out.WriteLine(json);
        Console.Out.Flush();
        if (jsonOut is not null)
        {
            File.AppendAllText(jsonOut, json + "\n");
        }
    }

    public string ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            w.WriteStartObject();
            w.WriteString("scenario", scenario);
            foreach (var (key, value, _) in _rows)
            {
                switch (value)
                {
                    case null:
                        w.WriteNull(key);
                        break;
                    case bool b:
                        w.WriteBoolean(key, b);
                        break;
                    case int i:
                        w.WriteNumber(key, i);
                        break;
                    case long l:
                        w.WriteNumber(key, l);
                        break;
                    case double d when !double.IsFinite(d):
                        w.WriteNull(key); // e.g. RSS per connection when the server died: JSON has no NaN
                        break;
                    case double d:
                        w.WriteNumber(key, Math.Round(d, 3));
                        break;
                    case JsonElement e:
                        w.WritePropertyName(key);
                        e.WriteTo(w);
                        break;
                    default:
                        w.WriteString(key, value.ToString());
                        break;
                }
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(ms.ToArray());
    }

    private static string Format(object? value) => value switch
    {
        null => "-",
        double d => d.ToString(Math.Abs(d) >= 100 ? "N0" : "N2", CultureInfo.InvariantCulture),
        long l => l.ToString("N0", CultureInfo.InvariantCulture),
        int i => i.ToString("N0", CultureInfo.InvariantCulture),
        JsonElement e => e.GetRawText(),
        _ => value.ToString() ?? "",
    };
}

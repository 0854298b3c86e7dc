using System.Text.RegularExpressions;

namespace PingActors.Tests.Layout;

/// <summary>
/// The code is laid out by feature (docs/design.md, "The session core"): a folder of src/ may use another only
/// if that one does not use it back, directly or round about, and no file grows past one purpose.
/// </summary>
public sealed partial class FolderDependencySpecs
{
    private static readonly string Src = Path.Combine(RepositoryRoot(), "src");

    [Fact]
    public void No_folder_of_a_project_uses_another_in_a_circle()
    {
        var uses = new Dictionary<string, HashSet<string>>();
        foreach (var file in Directory.EnumerateFiles(Src, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/") && !f.Contains("/bin/")))
        {
            var folder = FolderOf(file);
            var used = uses.TryGetValue(folder, out var set) ? set : uses[folder] = [];
            foreach (Match m in Reference().Matches(File.ReadAllText(file)))
            {
                var target = m.Groups[1].Value + "/" + m.Groups[2].Value;
                if (target != folder && Directory.Exists(Path.Combine(Src, "PingActors." + m.Groups[1].Value, m.Groups[2].Value)))
                {
                    used.Add(target);
                }
            }
        }

        foreach (var start in uses.Keys)
        {
            var path = CycleFrom(start, start, uses, [start]);
            Assert.True(path is null, $"folders use each other in a circle: {string.Join(" -> ", path ?? [])}");
        }
    }

    [Fact]
    public void No_source_file_is_over_400_lines()
    {
        var long_ = Directory.EnumerateFiles(Src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/") && !f.Contains("/bin/"))
            .Select(f => (File: Path.GetRelativePath(Src, f), Lines: File.ReadLines(f).Count()))
            .Where(f => f.Lines > 400)
            .ToList();

        Assert.True(long_.Count == 0, string.Join(", ", long_.Select(f => $"{f.File} ({f.Lines} lines)")));
    }

    // "Actors/Hub" for src/PingActors.Actors/Hub/Channels/LocalChannel.cs: a project and its top folder.
    private static string FolderOf(string file)
    {
        var parts = Path.GetRelativePath(Src, file).Split(Path.DirectorySeparatorChar);
        var project = parts[0]["PingActors.".Length..];
        return parts.Length > 2 ? project + "/" + parts[1] : project + "/(root)";
    }

    private static List<string>? CycleFrom(string start, string at, Dictionary<string, HashSet<string>> uses, List<string> path)
    {
        foreach (var next in uses.GetValueOrDefault(at) ?? [])
        {
            if (next == start)
            {
                return [.. path, next];
            }

            if (!path.Contains(next) && CycleFrom(start, next, uses, [.. path, next]) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PingActors.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("PingActors.sln not found above " + AppContext.BaseDirectory);
    }

    // A namespace reference of ours, in a using or in qualified code: PingActors.Node.Hosting, PingActors.Actors.Hub.Channels.
    [GeneratedRegex(@"PingActors\.(Actors|Node)\.([A-Z][A-Za-z]+)")]
    private static partial Regex Reference();
}

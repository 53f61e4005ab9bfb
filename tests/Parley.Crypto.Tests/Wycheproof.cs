using System.Text.Json;

namespace Parley.Crypto.Tests;

/// <summary>Loads Wycheproof vector files from tests/testvectors/wycheproof (vendored, Apache-2.0, see its LICENSE).</summary>
internal static class Wycheproof
{
    private static readonly Lazy<string> Directory = new(FindDirectory);

    public static IEnumerable<(JsonElement Group, JsonElement Test)> Load(string fileName)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory.Value, fileName)));
        var cases = new List<(JsonElement, JsonElement)>();
        foreach (var group in document.RootElement.GetProperty("testGroups").EnumerateArray())
        {
            foreach (var test in group.GetProperty("tests").EnumerateArray())
            {
                cases.Add((group.Clone(), test.Clone()));
            }
        }

        return cases;
    }

    public static byte[] Hex(this JsonElement element, string name) => Convert.FromHexString(element.GetProperty(name).GetString()!);

    public static string Result(this JsonElement test) => test.GetProperty("result").GetString()!;

    public static int Id(this JsonElement test) => test.GetProperty("tcId").GetInt32();

    private static string FindDirectory()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Parley.slnx")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException("Parley.slnx not found above " + AppContext.BaseDirectory);
        }

        var path = Path.Combine(dir.FullName, "tests", "testvectors", "wycheproof");
        return System.IO.Directory.Exists(path) ? path : throw new DirectoryNotFoundException(path);
    }
}

using System.Text.Json;

namespace PingActors.Tests.Ops;

/// <summary>Reads and awaits <c>GET /@console/data</c> of a node's ops listener.</summary>
public static class ConsoleData
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<JsonElement> GetAsync(Uri ops, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(ops, "/@console/data"));
        if (bearer is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        }

        using var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }

    /// <summary>Polls the data until <paramref name="condition"/> holds, failing with the last answer after <paramref name="timeout"/>.</summary>
    public static async Task<JsonElement> WaitForAsync(Uri ops, Func<JsonElement, bool> condition, string what, TimeSpan? timeout = null, string? bearer = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            var data = await GetAsync(ops, bearer);
            if (condition(data))
            {
                return data;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"/@console/data never showed {what}; last: {data}");
            }

            await Task.Delay(100);
        }
    }

    public static JsonElement Totals(this JsonElement data) => data.GetProperty("totals");

    public static JsonElement[] Busiest(this JsonElement data) => [.. data.GetProperty("busiest").EnumerateArray()];

    public static long LastMinuteOf(this JsonElement data, string channel) =>
        data.Busiest().Where(b => b.GetProperty("channel").GetString() == channel).Select(b => b.GetProperty("last_minute").GetInt64()).FirstOrDefault();

    public static double[] PublishedRates(this JsonElement data) =>
        [.. data.GetProperty("rates").GetProperty("published").EnumerateArray().Select(p => p.GetDouble())];
}

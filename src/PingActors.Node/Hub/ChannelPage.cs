using System.Text.Encodings.Web;

namespace PingActors.Node.Hub;

/// <summary>The small HTML page served on a plain GET of a channel path: it subscribes and lists the messages.</summary>
public static class ChannelPage
{
    public static string Render(string channel)
    {
        var title = HtmlEncoder.Default.Encode(channel);
        return $$"""
            <!DOCTYPE html>
            <html>
            <head><meta charset="utf-8"><title>PingActors {{title}}</title></head>
            <body>
            <h1>{{title}}</h1>
            <p id="state">connecting</p>
            <form id="send"><input id="text" autocomplete="off"> <button>Publish</button></form>
            <ol id="messages"></ol>
            <script>
            (function () {
              var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + location.pathname;
              var ws = new WebSocket(url);
              var state = document.getElementById('state');
              ws.onopen = function () { state.textContent = 'subscribed'; };
              ws.onclose = function (e) { state.textContent = 'closed: ' + e.code + ' ' + e.reason; };
              ws.onmessage = function (e) {
                if (e.data === '') return;
                var li = document.createElement('li');
                li.textContent = typeof e.data === 'string' ? e.data : '(binary message)';
                document.getElementById('messages').appendChild(li);
              };
              document.getElementById('send').onsubmit = function (e) {
                e.preventDefault();
                var input = document.getElementById('text');
                if (input.value !== '') ws.send(input.value);
                input.value = '';
              };
              // An empty message is a keepalive: the server echoes it to this client only.
              setInterval(function () { if (ws.readyState === 1) ws.send(''); }, 30000);
            })();
            </script>
            </body>
            </html>
            """;
    }
}

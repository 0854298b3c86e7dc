namespace PingActors.Node.Configuration;

/// <summary>The kinds of token HOCON's structure is checked in; values are kept as text, not interpreted.</summary>
internal enum HoconTokenKind
{
    Newline,
    Comma,
    OpenBrace,
    CloseBrace,
    OpenBracket,
    CloseBracket,
    Separator,
    Unquoted,
    Quoted,
    Substitution,
    End,
}

/// <summary>One token of a HOCON text, with its span in the text so that substitutions can be edited in place.</summary>
internal sealed record HoconToken(HoconTokenKind Kind, int Start, int End, int Line, string Text, bool Optional = false)
{
    public string Describe() => Kind switch
    {
        HoconTokenKind.Newline => "end of line",
        HoconTokenKind.End => "end of file",
        HoconTokenKind.Unquoted => $"\"{Text}\"",
        HoconTokenKind.Quoted => "a quoted string",
        HoconTokenKind.Substitution => "a substitution",
        _ => $"'{Text}'",
    };
}

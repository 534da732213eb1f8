using System.Net;
using System.Text;

namespace CoreFileProfiler.Silo.Terminals;

/// <summary>
/// Every line typed into gdb attached to a live process, logged with who typed it: an admin's
/// interactive control of a running workload leaves a trail. Keystrokes arrive one by one
/// (readline echoes them), so they are gathered into lines, as typed: control keys (readline's
/// editing too) are shown as ^X, so the log holds the keystrokes from which the command is rebuilt.
/// The session is named by a short hash, never its id (the id is the capability).
/// </summary>
internal sealed partial class LiveAttachAudit(ILogger logger, IPAddress? caller, string sessionId, int pid)
{
    private const int MaxLine = 4096;
    private readonly StringBuilder _line = new();
    private readonly string _session = CapabilityHash.Of(sessionId);

    public void Typed(string input)
    {
        foreach (var c in input)
        {
            if (c is '\r' or '\n') Flush();
            else _line.Append(char.IsControl(c) ? $"^{(char)(c + 64)}" : c);
            // A line longer than that is logged in pieces, never cut: what gdb ran is all in the log.
            if (_line.Length >= MaxLine) Flush();
        }
    }

    /// <summary>A line left unfinished when the viewer leaves is logged too.</summary>
    public void Flush()
    {
        if (_line.Length == 0) return;
        LogLine(logger, caller?.ToString() ?? "unknown", _session, pid, _line.ToString());
        _line.Clear();
    }

    /// <summary>
    /// The viewer's connection goes on to the terminal's own node, which audits its lines without knowing
    /// the caller (a forwarded request's peer is a gateway): this line ties the caller to the session there.
    /// </summary>
    public void Forwarding(string node) => LogForwarding(logger, caller?.ToString() ?? "unknown", _session, pid, node);

    [LoggerMessage(EventName = "LiveAttachForwarded", Level = LogLevel.Information, Message = "Live attach viewer from {Caller} in session {SessionHash} to pid {Pid} goes on to the gateway of node {TargetNode}")]
    private static partial void LogForwarding(ILogger logger, string caller, string sessionHash, int pid, string targetNode);

    [LoggerMessage(EventName = "LiveAttachInput", Level = LogLevel.Information, Message = "Live attach input from {Caller} in session {SessionHash} to pid {Pid}: {Line}")]
    private static partial void LogLine(ILogger logger, string caller, string sessionHash, int pid, string line);
}

// Package diagnose answers the question a flooded mailbox asks: is the
// account hijacked (spam leaves through our own server with its stolen
// password), is someone forging our address (the bounces are backscatter
// for mail we never sent), or are these the ordinary failures of mail we
// did send?
//
// An [Analyzer] takes the outbound mail log first ([Analyzer.AddEvent],
// events of package sendlog), then the decoded bounces
// ([Analyzer.Attribute] and [Analyzer.AddBounce]), and writes a [Report]:
// one [AccountReport] per sending account with its verdict, a confidence,
// the evidence in plain sentences, the surge of bounces beside the sent
// volume, and the response plan of package advice. [Scan] does the whole
// job from file paths, as the scan command does.
//
// # Accounts
//
// A sent message belongs to its SASL login when it has one (the thing an
// intruder steals), else to its envelope sender, else to the local user
// that submitted it. A bounce belongs to the account of the log entry its
// message was found in; otherwise to its address of ours (the returned
// message's Return-Path, the bounce's own recipient, the original From),
// mapped to the login that sends as that address in the log.
//
// # Signals
//
// Per account, over the bounce surge found by surge.Detect (the window
// starts two hours before its onset: mail is sent before it bounces):
//   - attribution of each bounce (package attrib): ours, not ours, unknown;
//     fake bounces (phishing posing as a bounce) are counted apart and kept
//     out of the evidence;
//   - the sent volume over the window against its own baseline
//     (surge.CheckWindow);
//   - SASL logins from IP addresses (and networks: /24, /48) never seen for
//     the account before the window, when the log has earlier history;
//   - first-time recipients: addresses the account had never mailed before;
//   - authenticated submission (ESMTPSA) through our relay in the returned
//     Received chains;
//   - refusals of the account for its volume by our server or provider
//     (hosting panels' "exceeded the max emails per hour", Microsoft 365's
//     "5.1.8 bad outbound sender" and "5.7.501 spam abuse detected", Gmail's
//     "daily user sending limit exceeded").
//
// # Verdicts
//
//   - hijacked: the bounces are ours and the sent volume jumped with them,
//     or our provider refused the account for its volume, or (no log) our
//     relays and signatures are on the returned mail with an authenticated
//     hop; logins from new IPs and first-time recipients raise the
//     confidence.
//   - spoofed: the bounces are mostly not ours, and where the log covers
//     the window the sent volume stayed normal.
//   - mixed: a real share of both, with a hijack signal.
//   - ordinary: no surge and no hijack signal, or a surge of bounces of
//     mail we did send at our normal volume.
//   - insufficient_evidence: the evidence cannot tell (typically no send
//     log and bounces that returned too little of the original); the
//     report says which evidence is missing and the plan how to collect it.
//
// # Time
//
// A bounce is placed at the time it reached us — the Received field our
// receiving server added on top, else the mailbox's record of the arrival
// (Mail.Arrival) — never at a date a stranger wrote, which counts only as
// evidence; the analysis window covers the bulk of the events, so no date
// can stretch it (when.go). The surge's onset is placed to the minute
// (surge.Pinpoint), and the hour in progress at the report's time is
// scored against its elapsed share. The send log's clock is checked
// against the Received fields our server wrote into the returned
// messages, and corrected when the zone it was read in is wrong (tz.go;
// Report.LogZone).
package diagnose

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
// # Campaign or hijack
//
// A newsletter raises the sent volume and the bounces as a hijack does.
// What a hijack changes besides the volume is weighed per account over
// the surge's window (campaign.go; accumulated in any order, decided at
// report time):
//   - who: SASL logins from networks never seen (above). No GeoIP
//     database is used, so countries are not named: a new /24 (IPv4) or
//     /48 (IPv6) network stands for them;
//   - when (odd_hours): at least half of the window's mail in hours of
//     day that hold less than 2% of the account's own earlier mail, or,
//     with less than a day or 50 messages of history, at night (00:00 to
//     05:59 in the configured zone);
//   - what (spam_subjects): at least 30% of the returned messages'
//     subjects use spam or phishing words (English, Japanese, Chinese,
//     Korean, German, French, Spanish; a shop's own "sale" or "% off" are
//     not among them); only bounces not attributed to forgery count;
//   - to whom (many_domains): the recipients first mailed in the window
//     spread over at least 20 domains and one domain per five recipients,
//     or half of them at domains the account had never mailed;
//   - with what (new_client_form): at least half of the window's messages
//     in the log carry a Message-ID form (attrib.MessageIDShape) never
//     seen for the account before, or half of its bounces a mail program
//     (X-Mailer, User-Agent, versions folded) never seen;
//   - failed logins before the surge (above).
//
// A campaign is named when one subject, not of spam's shape, holds at
// least half of the window's bounces, or two hold 80% (an A/B test);
// the recipient's name in a personalised subject ("山田太郎様へ …",
// "Dear Anna, …") is left out when subjects are compared. The report's
// campaign object gives its start, subject, recipients sent to and
// bounced, bounce rate and hard bounces. A campaign is also named when
// the same hours of an earlier week (up to four) held as much of the
// account's mail (a scheduled newsletter). It is judged legitimate when
// there is no sign of an intruder (new networks, ten failed logins, our
// provider refusing the account for spam), no spam subjects, and at most
// one of the other changes: the verdict is then ordinary, the plan starts
// by cleaning the list with the campaign's figures, and a provider's
// sending limit met by it is not taken for a hijack. Malware on the
// owner's own PC logs in from the usual address but changes the hours,
// subjects, recipients and program: two changes or spam subjects keep
// the account hijacked. A campaign on a day our address is forged leaves
// the account spoofed, not mixed.
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
//     mail we did send at our normal volume, or the account's own
//     campaign (above).
//   - insufficient_evidence: the evidence cannot tell (typically no send
//     log and bounces that returned too little of the original); the
//     report says which evidence is missing and the plan how to collect it.
package diagnose

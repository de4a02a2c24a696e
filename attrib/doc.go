// Package attrib decides, for one decoded bounce, whether the message that
// bounced was really sent by us, and flags fake bounces (phishing posing as
// a mailer-daemon or carrier notice).
//
// Attribution comes in two steps, so that a bounce can be judged again as
// the log grows. An [Extractor] reads the [Facts] of one [bounce.Result]
// when it arrives: what attribution needs, independent of the log (the
// returned Message-ID and its form, the Received chain in short, DKIM
// signatures verified when a verifier is set, BATV checks, authenticated
// submission markers, the fake check's answers). An [Index] holds the
// outbound log ([Sent], one per message; it may keep growing) and the
// site's [Config]; [Index.Judge] weighs Facts against it and against a
// [Population] — what the bounces together teach, from [Index.Learn]: the
// entry relays most bounces claiming to be ours share, and whether our
// relays sign every message. [Index.Attribute] does both for one result.
// Every piece of evidence is an [Item] with a code, a weight (positive:
// sent by us; negative: not sent by us) and plain text in English and
// Japanese.
//
// # Rules and weights
//
//  1. Send log (ground truth). The original's Message-ID is in the log:
//     message_id_in_log +10. A queue ID from a Received "id" added by one of
//     our relays is in the log: queue_id_in_log +10. The log covers the
//     original's Date (±ActivityWindow) and has Message-IDs, but not this
//     one: message_id_not_in_log −3.
//  2. Received chain (RFC 5321 section 4.4). A hop added by, or received
//     from, one of our relays (configured, learnt from Sent.Host, a host in
//     our domains, or voted by the bounces: Population):
//     received_our_relay +3. Such a hop with an authenticated submission
//     (ESMTPSA, ESMTPA, RFC 3848; "Authenticated sender"; or, at the entry
//     hop, the submission server's headers: Microsoft 365's
//     X-MS-Exchange-Organization-AuthAs: Internal, X-Authenticated-User,
//     cPanel's authenticated_id) is a hijack signal:
//     received_esmtpsa_our_relay +1 (in addition). A chain of one or more
//     hops that never touches a relay of ours, while we know one or our
//     domains: received_not_our_relay −2 (every relay adds its field, ours
//     too). A message claiming our From or Return-Path whose chain starts
//     at a public client that did not authenticate, nowhere near our
//     relays (a bot straight to the recipient's server):
//     received_unauthenticated_entry −2.
//  3. DKIM (RFC 6376). A signature with d= one of our domains (or a
//     subdomain): dkim_ours_present_unverified +2; verified over the
//     returned message (body returned and Config.DKIM set):
//     dkim_ours_verified +6; fails to verify: dkim_ours_failed −4 (forged,
//     or altered on the way back); only foreign d=: dkim_foreign_only −1;
//     no signature on a message in our name outside our relays, while
//     nearly every message through our relays carries ours (Population):
//     dkim_ours_absent −2.
//  4. BATV (draft-levine-smtp-batv-01, "prvs=KDDDSSSSSS=local@domain") on
//     the bounce's envelope recipient (Delivered-To, X-Original-To,
//     Envelope-To, X-Envelope-To, To, and the original's Return-Path), when
//     Config.BATVKey is set: batv_valid +6; wrong hash: batv_invalid −6;
//     right hash but expired: batv_expired −3; no tag on an address of
//     ours while Config.BATVSignsAll: batv_absent_but_we_sign −4.
//  5. Message-ID form ([MessageIDShape]: domain and coarse shape of the
//     local part), learnt from the log's Message-IDs and
//     Config.MessageIDDomains: a known form: message_id_our_form +1; an
//     unknown domain and shape while From is in our domains:
//     message_id_foreign_form −1.
//  6. Activity. The original's Date lies within ±ActivityWindow of a
//     minute with log activity: date_in_activity +1; inside the span the
//     log covers but away from any activity: date_outside_activity −2.
//
// The score is the sum of the weights. Score ≥ 3 gives [Ours], score ≤ −3
// gives [NotOurs], anything between is [Unknown]. Contradictory evidence
// (at least +5 and at most −5 at once) is [Unknown] unless the send log
// itself matched (rule 1) or a proof only we can make holds (our DKIM
// signature verifies, our BATV tag validates), which is taken as the
// truth. A bounce that
// returned nothing of the original is [Unknown] with the item no_original.
//
// # Fake bounces
//
// [DetectFake] tells phishing that poses as a bounce, or as a carrier's,
// provider's or mail administrator's notice, from the message alone and
// our configured domains — never the send log — so that it can run when a
// message is taken in and give the same answer whatever log comes later.
// [Index.Attribute] calls it. A message is judged when it poses as a
// notice: decoded as a bounce, or a mailer-daemon, postmaster,
// administrator, mailbox or delivery-failure wording in From or Subject,
// or a brand's name (docomo, au/KDDI, SoftBank, Microsoft, Google, Yahoo,
// Apple, Japanese hosting companies) in its display name or Subject.
//
// A notice shaped like a real delivery report (a DSN part, a returned
// message, or a diagnostic an MTA writes: RFC 3464, RFC 3463 codes), or
// one from the genuine domain of the provider it names or from ours that
// our server did not find forged (its attachments, such as DMARC
// aggregate reports, and links to its own sites then count for nothing),
// is fake only with a hook no mail server adds: an archive, program or script attached; a
// link in its own text (not in the returned message) whose address asks
// to log in, verify, restore, upgrade or release messages, or carries the
// reader's address (as it is, URL- or base64-encoded), or, when it
// returns no message, a link that hides its target (a link shortener, a
// bare IP address); a look-alike
// sender domain or failed sender authentication (RFC 8601
// Authentication-Results for the domain it claims) while it returns no
// message at all. A notice with none of that shape is fake with any hook:
// such links even to its own domain, a link to any site other than its
// own or a provider's help pages, an attachment, phishing wording (a call
// to log in, release held messages, act within 24 hours… in English,
// Japanese and a few other languages; "mailbox full" alone never decides),
// HTML only, a brand's name on a domain that is not the brand's, or an
// administrator's name or our domain's name on a domain not ours.
//
// Every reason is an [Item] in English and Japanese. A fake gets a non-nil
// [Attribution.Fake], its Verdict is [Unknown], and callers keep it out of
// the evidence for an account.
package attrib

package bounce

import (
	"regexp"
	"strings"

	"github.com/bouncewatch/bouncewatch/reason"
)

// Microsoft Exchange: the Exchange 5.5/2000/2003 text report ("Your message
// ... did not reach the following recipient(s)", MSEXCH codes), the
// Exchange 2007+ / Exchange Online report when no DSN part carries the
// facts ("Delivery has failed to these recipients or groups",
// "Diagnostic information for administrators"), and the DSNs written by
// Microsoft's own hosts.

// gmsExchange2003Header reports whether m was written by an old Exchange server.
func gmsExchange2003Header(m *flat) bool {
	if m.hhas("X-MS-Embedded-Report") {
		return true
	}
	if x := m.hget("X-Mailer"); strings.HasPrefix(x, "Internet Mail Service (") ||
		strings.HasPrefix(x, "Microsoft Exchange Server Internet Mail Connector") {
		return true
	}
	if strings.HasPrefix(m.hget("X-MimeOLE"), "Produced By Microsoft Exchange") {
		return true
	}
	for _, v := range m.hall("Received") {
		if strings.Contains(v, " with Internet Mail Service (") {
			return true
		}
	}
	return false
}

// exchange2003Codes are the MSEXCH diagnostic codes whose meaning is fixed.
var exchange2003Codes = map[string]reason.Reason{
	"000C05A6": reason.UserUnknown,   // Unknown Recipient
	"000C0595": reason.Filtered,      // Ambiguous Recipient
	"00010256": reason.SystemError,   // Too many recipients
	"000D06B5": reason.SystemError,   // No proxy for recipient
	"00120270": reason.NetworkError,  // Too Many Hops
	"00050311": reason.ContentError,  // Conversion to Internet format failed
	"000502CC": reason.ContentError,  // Conversion to Internet format failed
	"000B0981": reason.SecurityError, // 502 Server does not support AUTH
}

var reGMSExchCode = regexp.MustCompile(`MSEXCH:[^\n]*?\(([0-9A-Fa-f]{8})\)\s*(.*)`)

// scanExchange2003 reads:
//
//	Your message
//	  To:      user@example.jp
//	  Subject: ...
//	did not reach the following recipient(s):
//	user@example.jp on Thu, 29 Apr 2007 16:51:51 -0500
//	    The recipient name is not recognized
//	    MSEXCH:IMS:ORG:SITE:SERVER 0 (000C05A6) Unknown Recipient
func scanExchange2003(m *flat) *scan {
	if !gmsExchange2003Header(m) {
		return nil
	}
	body := gmsBeforeReturned(m.Body)
	i := strings.Index(body, "Your message")
	if i < 0 {
		return nil
	}
	j := strings.Index(body[i:], "did not reach the following recipient(s):")
	k := strings.Index(body[i:], "The following recipient(s) could not be reached:")
	if j < 0 || (k >= 0 && k < j) {
		j = k
	}
	if j < 0 {
		return nil
	}
	text := body[i+j:]
	if nl := strings.IndexByte(text, '\n'); nl >= 0 {
		text = text[nl+1:]
	} else {
		return nil
	}
	var recs []Record
	var diag []string
	flush := func() {
		if len(recs) == 0 {
			return
		}
		r := &recs[len(recs)-1]
		d := gmsFold(strings.Join(diag, " "))
		diag = diag[:0]
		if mm := reGMSExchCode.FindStringSubmatch(d); mm != nil {
			if rs, ok := exchange2003Codes[strings.ToUpper(mm[1])]; ok {
				r.Reason = rs
			}
		}
		// The MTS-ID line is an identifier, not a part of the error.
		if a := strings.Index(d, "The MTS-ID of the original message is:"); a >= 0 {
			if b := strings.Index(d[a:], "MSEXCH:"); b >= 0 {
				d = d[:a] + d[a+b:]
			} else {
				d = d[:a]
			}
		}
		r.DiagnosticCode = gmsCap(strings.TrimSpace(d), 2000)
	}
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if on := strings.Index(t, " on "); on > 0 && strings.IndexByte(t[:on], '@') > 0 && strings.IndexByte(t[:on], ' ') < 0 {
			// "user@example.jp on Thu, 29 Apr 2007 16:51:51 -0500"
			flush()
			addr := t[:on]
			if p := strings.Index(strings.ToLower(addr), "smtp="); p >= 0 {
				addr = addr[p+5:]
			}
			if a := findAddress(addr); a != "" {
				recs = append(recs, Record{Recipient: a, Action: "failed"})
				continue
			}
		}
		if strings.Contains(t, "@") && strings.Contains(strings.ToLower(t), ":smtp=") {
			// "c=US;a= ;p=org;o=site;cn=name:SMTP=user@example.com; on Fri, 4 Oct 2002"
			flush()
			low := strings.ToLower(t)
			if a := findAddress(t[strings.Index(low, ":smtp=")+6:]); a != "" {
				recs = append(recs, Record{Recipient: a, Action: "failed"})
				continue
			}
		}
		if len(recs) > 0 && len(diag) < 20 {
			diag = append(diag, t)
		}
	}
	flush()
	if len(recs) == 0 {
		return nil
	}
	ev := []string{"Microsoft Exchange 2003 header (X-Mailer / X-MS-Embedded-Report / Received)",
		"Exchange marker 'did not reach the following recipient(s)'"}
	return &scan{records: recs, evidence: ev}
}

// exchange2007Diag are the headings of the administrators' section of an
// Exchange 2007+ report, in the languages seen.
var exchange2007Diag = []string{
	"Diagnostic information for administrators:",
	"Informations de diagnostic pour les administrateurs",
	"Informazioni di diagnostica per gli amministratori",
	"Diagnoseinformationen für Administratoren",
	"Diagnostisk information f",
	"Información de diagnóstico para administradores",
	"管理者用の診断情報",
	"Error Details",
}

// exchange2007End are the headings after which the returned message's
// headers follow.
var exchange2007End = []string{
	"Original message headers:",
	"Original Message Headers",
	"En-têtes de message d'origine",
	"Intestazioni originali del messaggio:",
	"Ursprungshuvuden:",
	"Ursprüngliche Nachrichtenkopfzeilen:",
	"元のメッセージ ヘッダー:",
}

var exchange2007Gen = []string{"Generating server:", "DSN generated by:", "Serveur de g", "Server di generazione", "Genererande server", "Generierender Server:", "生成サーバー:"}

// gmsExchangeNDR maps Exchange's NDR subjects to the reason they name.
var gmsExchangeNDR = []struct {
	code   string
	reason reason.Reason
}{
	{"SMTPSEND.DNS.NonExistentDomain", reason.HostUnknown},
	{"SMTPSEND.DNS.MxLoopback", reason.NetworkError},
	{"RESOLVER.ADR.RecipNotFound", reason.UserUnknown},
	{"RESOLVER.ADR.RecipientNotFound", reason.UserUnknown},
	{"RESOLVER.ADR.ExRecipNotFound", reason.UserUnknown},
	{"RESOLVER.ADR.RecipLimit", reason.TooManyConn},
	{"RESOLVER.RST.AuthRequired", reason.SecurityError},
	{"RESOLVER.RST.NotAuthorized", reason.Rejected},
	{"RESOLVER.RST.RecipSizeLimit", reason.ExceedLimit},
	{"QUEUE.Expired", reason.Expired},
}

// scanExchange2007 reads the text of an Exchange 2007+ report that has no
// delivery-status part (the DSN, when present, is read by scanMicrosoftDSN).
func scanExchange2007(m *flat) *scan {
	if !headerHas(m, "From", "postmaster", "mailer-daemon", "microsoftexchange") {
		return nil
	}
	if !m.hhas("X-MS-Exchange-Message-Is-Ndr") && !m.hhas("Content-Language") &&
		!headerHas(m, "From", ".onmicrosoft.", "outlook.", "microsoftexchange") &&
		!gmsHasAnyPrefix(subjectOf(m), gmsExchangeSubjects) {
		return nil
	}
	for _, p := range m.Parts {
		if (p.Type == "message/delivery-status" || p.Type == "message/global-delivery-status") &&
			strings.Contains(p.Text, "Final-Recipient:") {
			return nil // a DSN: read by scanMicrosoftDSN or scanRFC3464
		}
	}
	body := gmsBeforeReturned(m.Body)
	start := -1
	for _, h := range exchange2007Diag {
		if i := strings.Index(body, h); i >= 0 && (start < 0 || i < start) {
			start = i
		}
	}
	if start < 0 {
		return nil
	}
	text, orig := gmsCutOriginal(body[start:], exchange2007End...)
	if nl := strings.IndexByte(text, '\n'); nl >= 0 {
		text = text[nl+1:]
	} else {
		return nil
	}
	var recs []Record
	reporting := ""
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if strings.IndexByte(t, ' ') < 0 && strings.IndexByte(t, '@') > 0 {
			if a := findAddress(t); a != "" {
				recs = append(recs, Record{Recipient: a, Action: "failed", ReportingMTA: reporting})
				continue
			}
		}
		isGen := false
		for _, g := range exchange2007Gen {
			if strings.HasPrefix(t, g) {
				isGen = true
				if c := strings.IndexByte(t, ':'); c >= 0 {
					f := strings.Fields(t[c+1:])
					if len(f) > 0 {
						reporting = strings.ToLower(f[0])
					}
				}
				break
			}
		}
		if isGen || len(recs) == 0 {
			continue
		}
		r := &recs[len(recs)-1]
		if len(r.DiagnosticCode) < 2000 {
			r.DiagnosticCode = strings.TrimSpace(r.DiagnosticCode + " " + t)
		}
	}
	if len(recs) == 0 {
		// "Original Message Details ... Recipient Address: user@example.jp"
		if i := strings.Index(body, "\nRecipient Address:"); i >= 0 {
			line := body[i+1:]
			if nl := strings.IndexByte(line, '\n'); nl >= 0 {
				line = line[:nl]
			}
			if a := findAddress(line); a != "" {
				d := ""
				if _, after, ok := cutAt(body, "Error Details"); ok {
					d = gmsCap(after, 2000)
				}
				recs = append(recs, Record{Recipient: a, Action: "failed", ReportingMTA: reporting, DiagnosticCode: d})
			}
		}
	}
	if len(recs) == 0 {
		return nil
	}
	for i := range recs {
		gmsFinishExchangeRecord(&recs[i])
	}
	ev := []string{"From: postmaster with Exchange's 'Diagnostic information for administrators' (Exchange 2007+)"}
	return &scan{records: recs, original: orig, evidence: ev}
}

var reGMSExchangeRemote = regexp.MustCompile(`Remote Server (?:at ([A-Za-z0-9.-]+)[^']*)?returned '([^']*)'`)

// gmsFinishExchangeRecord tidies the diagnostic of an Exchange report
// ("#550 5.1.1 RESOLVER.ADR.RecipNotFound; not found ##", "Remote Server
// returned '...'") and sets the reason its NDR code names.
func gmsFinishExchangeRecord(r *Record) {
	d := gmsFold(r.DiagnosticCode)
	if mm := reGMSExchangeRemote.FindAllStringSubmatch(d, -1); mm != nil {
		// The first attempt listed is the last one made.
		if mm[0][1] != "" {
			r.RemoteMTA = strings.ToLower(mm[0][1])
		}
		d = mm[0][2]
	}
	d = strings.TrimPrefix(d, "#")
	if k := strings.Index(d, "##"); k >= 0 {
		d = d[:k]
	}
	r.DiagnosticCode = strings.TrimSpace(d)
	r.DiagnosticType = "SMTP"
	for _, n := range gmsExchangeNDR {
		if strings.Contains(d, n.code) {
			r.Reason = n.reason
			break
		}
	}
}

// scanMicrosoftDSN reads the DSNs written by Microsoft's own hosts
// (Exchange Online, Outlook.com, Hotmail). When the error is the
// reporting host's own (no Remote-MTA), that host is given as the remote
// host so that Microsoft's table of messages applies.
func scanMicrosoftDSN(m *flat) *scan {
	if !headerHas(m, "From", "postmaster@", "mailer-daemon@", "microsoftexchange") {
		return nil
	}
	// Read the DSN only when its Reporting-MTA is one of Microsoft's.
	found := false
	for _, p := range m.Parts {
		if p.Type != "message/delivery-status" && p.Type != "message/global-delivery-status" {
			continue
		}
		i := strings.Index(p.Text, "Reporting-MTA:")
		if i < 0 {
			continue
		}
		v := p.Text[i+len("Reporting-MTA:"):]
		if nl := strings.IndexByte(v, '\n'); nl >= 0 {
			v = v[:nl]
		}
		if gmsProviderHost(v, gmsMicrosoftHosts...) {
			found = true
			break
		}
	}
	if !found {
		return nil
	}
	s := scanRFC3464(m)
	if s == nil {
		return nil
	}
	ms := false
	for i := range s.records {
		r := &s.records[i]
		if !gmsProviderHost(r.ReportingMTA, gmsMicrosoftHosts...) {
			continue
		}
		ms = true
		if r.RemoteMTA == "" {
			r.RemoteMTA = r.ReportingMTA
		}
	}
	if !ms {
		return nil
	}
	s.evidence = append(s.evidence, "Reporting-MTA is a Microsoft host (Exchange Online / Outlook.com)")
	return s
}

// gmsMicrosoftHosts are the suffixes of the host names of Microsoft's mail
// services.
var gmsMicrosoftHosts = []string{".outlook.com", ".hotmail.com", ".exchangelabs.com", ".onmicrosoft.com", ".live.com"}

// gmsExchangeSubjects are the Subject prefixes of Exchange reports (lower
// case), in the languages seen.
var gmsExchangeSubjects = []string{"undeliverable", "non remis", "non_remis", "unzustellbar", "non recapitabile", "olevererbart", "onbestelbaar", "no se puede entregar", "配信不能"}

// gmsHasAnyPrefix reports whether s begins with one of the prefixes.
func gmsHasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

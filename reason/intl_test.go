package reason

import "testing"

// TestFromTextLanguages checks the phrases of localised notices and of
// providers' published error texts (issue 7 section 3): each text, written
// as such a notice or provider writes it, gives its reason, and texts that
// only look alike do not.
func TestFromTextLanguages(t *testing.T) {
	cases := []struct {
		name string
		text string
		want Reason
	}{
		{"French user unknown", "Le serveur distant a répondu : Adresse inconnue", UserUnknown},
		{"French mailbox full", "La boîte aux lettres pleine du destinataire", MailboxFull},
		{"French domain", "le domaine n'existe pas", HostUnknown},
		{"German user unknown", "Empfänger unbekannt", UserUnknown},
		{"German mailbox full", "Das Postfach des Empfängers ist voll.", MailboxFull},
		{"German domain", "Die Domain existiert nicht", HostUnknown},
		{"Spanish user unknown", "El usuario no existe en este servidor.", UserUnknown},
		{"Spanish mailbox full", "el buzón está lleno", MailboxFull},
		{"Portuguese user unknown", "usuário desconhecido", UserUnknown},
		{"Portuguese mailbox full", "a caixa postal do destinatário está cheia", MailboxFull},
		{"Italian user unknown", "utente sconosciuto", UserUnknown},
		{"Italian mailbox full", "casella piena, quota superata", MailboxFull},
		{"Dutch user unknown", "onbekende gebruiker", UserUnknown},
		{"Dutch domain", "het domein bestaat niet", HostUnknown},
		{"Chinese user unknown", "收件人不存在", UserUnknown},
		{"Chinese mailbox full", "收件人邮箱已满", MailboxFull},
		{"Chinese domain", "域名不存在", HostUnknown},
		{"Russian user unknown", "Причина: почтовый ящик не существует.", UserUnknown},
		{"Russian mailbox full", "почтовый ящик переполнен", MailboxFull},
		{"Coremail unknown user", "550 Mailbox not found or access denied; unavailable mail user", UserUnknown},
		{"Coremail not found in server", "User kim@example.cn is not found in Server.", UserUnknown},
		{"Coremail quota", "Quota exceed the hard limit for user kim@example.cn", MailboxFull},
		{"Coremail disabled", "550 User disabled", Suspend},
		{"NetEase DT:SPM", "554 DT:SPM 163 mx3,abc, please see http://mail.163.com/help/help_spam_16.htm?ip=", SpamDetected},
		{"Yandex spam", "554 5.7.1 [2] Message rejected under suspicion of SPAM", SpamDetected},
		{"Microsoft 5.7.708", "550 5.7.708 Service unavailable. Access denied, traffic not accepted from this IP.", Blocked},
		{"Microsoft 5.1.8", "550 5.1.8 Access denied, bad outbound sender", Rejected},
		{"Google 5.7.26", "550-5.7.26 This mail has been blocked because the sender is unauthenticated.", AuthFailure},
		{"Outlook NDR, English", "The email address you entered couldn't be found.", UserUnknown},
		{"Outlook NDR, French", "L'adresse de messagerie que vous avez entrée est introuvable.", UserUnknown},
		{"NetEase HL:ICC", "421 HL:ICC connection refused", TooManyConn},
		{"no reason in a greeting", "Bonjour, voici votre message.", ""},
		{"Postfach alone is no reason", "Ihr Postfach wurde eingerichtet", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := FromText(tc.text); got != tc.want {
				t.Errorf("FromText(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

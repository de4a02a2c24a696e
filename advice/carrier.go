package advice

import "strings"

// carrierDomains are the mail domains of Japanese mobile carriers, current
// and former. An address at one of them (or at a subdomain) belongs to the
// phone contract and stops working when the owner leaves the carrier.
var carrierDomains = [...]string{
	"docomo.ne.jp",
	"ezweb.ne.jp",
	"au.com",
	"softbank.ne.jp",
	"i.softbank.jp",
	"disney.ne.jp",
	"vodafone.ne.jp",
	"pdx.ne.jp",
	"willcom.com",
	"ymobile.ne.jp",
}

const (
	carrierNoteEN = "This is a Japanese mobile carrier address. Such an address belongs to the phone contract: " +
		"it stops working when the owner moves to a budget SIM plan (格安SIM) or to another carrier, " +
		"unless they pay to keep it. Carriers may also answer that the address does not exist " +
		"when the recipient's spam settings refuse mail from computers or from your domain. " +
		"Ask the recipient, by phone or a messaging app, for their new address, " +
		"or ask them to allow your address in their carrier's mail settings."
	carrierNoteJA = "携帯電話会社（キャリア）のメールアドレスです。キャリアのアドレスは携帯電話の契約に付いているため、" +
		"相手が格安SIMや他社に乗り換えると、有料の持ち運びサービスを使っていない限り使えなくなります。" +
		"また、相手の迷惑メール設定でパソコンからのメールやあなたのドメインを拒否している場合にも、" +
		"「アドレスが存在しない」と返されることがあります。" +
		"電話やメッセージアプリで相手に新しいアドレスを確認するか、" +
		"キャリアのメール設定であなたのアドレスを受信許可に登録してもらってください。"
)

// CarrierNote returns a note for addresses at a Japanese mobile carrier's
// domain (docomo.ne.jp, ezweb.ne.jp, au.com, softbank.ne.jp, i.softbank.jp,
// disney.ne.jp, vodafone.ne.jp, pdx.ne.jp, willcom.com, ymobile.ne.jp, and
// their subdomains), and "" for any other domain. Those addresses disappear
// when the owner switches to a budget SIM plan, and carriers report refusals
// by the recipient's spam settings as unknown users, so userunknown and
// hasmoved bounces to them call for asking the recipient directly.
//
// recipientDomain may also be a whole address; the part after the last @ is
// used. Case and a trailing dot do not matter.
func CarrierNote(recipientDomain string, l Lang) string {
	if !isCarrier(recipientDomain) {
		return ""
	}
	if l == Japanese {
		return carrierNoteJA
	}
	return carrierNoteEN
}

// isCarrier reports whether domain is a carrier domain or a subdomain of one.
func isCarrier(domain string) bool {
	d := strings.TrimSpace(domain)
	if i := strings.LastIndexByte(d, '@'); i >= 0 {
		d = d[i+1:]
	}
	d = strings.TrimSuffix(strings.ToLower(strings.Trim(d, " <>")), ".")
	for _, c := range carrierDomains {
		if d == c || strings.HasSuffix(d, "."+c) {
			return true
		}
	}
	return false
}

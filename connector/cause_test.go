package connector

import (
	"testing"

	"oawizard/wechat"
)

// Every catalogued code reaches the connector's cause reader with its code
// kept for the wizard, 61004's address read by the catalogue's one parser.
func TestCauseOfEveryCode(t *testing.T) {
	msgs := map[int]string{
		61004: "access clientip is not registered requestIP: 2001:db8::7",
		40164: "invalid ip 8.149.1.2 ipv6 ::ffff:8.149.1.2, not in whitelist",
	}
	for _, code := range wechat.Codes() {
		c := causeOf(&wechat.APIError{Code: code, Msg: msgs[code]})
		if c.ErrCode != code {
			t.Errorf("%d: cause %+v", code, c)
		}
		switch code {
		case 61004:
			if c.Reason != ReasonIPNotWhitelisted || c.IP != wechat.RequestIP(msgs[code]) || c.IP != "2001:db8::7" {
				t.Errorf("61004: %+v", c)
			}
		case -1:
			if c.Reason != ReasonWeChatBusy {
				t.Errorf("-1: %+v", c)
			}
		default:
			if c.Reason != ReasonWeChatError || c.IP != "" {
				t.Errorf("%d: %+v", code, c)
			}
		}
	}
}

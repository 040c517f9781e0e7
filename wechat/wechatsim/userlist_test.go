package wechatsim

import (
	"encoding/json"
	"slices"
	"testing"
)

// The hand scanner of batchget requests reads what encoding/json reads, or
// declines and leaves the body to encoding/json.
func TestUserListScannerAgreesWithEncodingJSON(t *testing.T) {
	bodies := []struct {
		body   string
		plain  bool // the scanner must take it itself
		format bool // WeChat answers 47001
	}{
		{`{"user_list":[{"openid":"oA1","lang":"zh_CN"},{"openid":"oA2"}]}`, true, false},
		{" { \"user_list\" : [ { \"lang\" : \"en\" , \"openid\" : \"oA3\" } ] }\n", true, false},
		{`{"user_list":[]}`, true, false},
		{`{"user_list":[{"openid":"o\u0041"}]}`, false, false},          // escape
		{`{"user_list":[{"OpenID":"oA"}]}`, false, false},               // encoding/json matches keys loosely
		{`{"user_list":[{"openid":"oA","openid":"oB"}]}`, false, false}, // repeated key: the last wins
		{`{"user_list":[{"openid":"oA","x":1}],"y":2}`, false, false},   // other keys are ignored
		{`{"user_list":[{"openid":"oA"},]}`, false, true},
		{`{"user_list":[{"openid":"oA"}]} trailing`, false, true},
		{`{"user_list":[{"openid":1}]}`, false, true},
	}
	for _, c := range bodies {
		_, plain := scanUserList([]byte(c.body))
		if plain != c.plain {
			t.Errorf("%s: scanned by hand %v, want %v", c.body, plain, c.plain)
		}
		var want struct {
			UserList []struct {
				OpenID string `json:"openid"`
			} `json:"user_list"`
		}
		werr := json.Unmarshal([]byte(c.body), &want)
		got, e := userListOpenIDs([]byte(c.body))
		if (e != nil) != c.format || (werr != nil) != c.format {
			t.Errorf("%s: error %v (encoding/json: %v), want 47001: %v", c.body, e, werr, c.format)
			continue
		}
		if e != nil {
			if e.code != 47001 {
				t.Errorf("%s: errcode %d, want 47001", c.body, e.code)
			}
			continue
		}
		var ids []string
		for _, u := range want.UserList {
			ids = append(ids, u.OpenID)
		}
		if !slices.Equal(got, ids) {
			t.Errorf("%s: openids %q, encoding/json %q", c.body, got, ids)
		}
	}
}

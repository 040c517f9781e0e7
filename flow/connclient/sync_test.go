package connclient

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"oawizard/wechat"
)

// The lean decoder reads what encoding/json reads, or declines.
func TestLeanBatchGetDecoderAgreesWithEncodingJSON(t *testing.T) {
	answers := []string{
		`{"user_info_list":[{"subscribe":1,"openid":"oA1","language":"","subscribe_time":1700000000,"unionid":"oU1","remark":"","groupid":0,"tagid_list":[],"subscribe_scene":"ADD_SCENE_QR_CODE","qr_scene":0,"qr_scene_str":""},{"subscribe":0,"openid":"oA2"}]}`,
		`{"user_info_list":[]}`,
		` { "user_info_list" : [ { "subscribe" : 1 , "openid" : "oA3" , "tagid_list" : [ 2, 3 ], "extra": {"a": [1, {"b": null}]}, "nick": "x\"y" } ] } `,
		`{"user_info_list":[{"openid":"o\u0041","subscribe":1}]}`, // escape: declined, encoding/json decides
		`{"user_info_list":[{"openid":"oA5","subscribe":1.5}]}`,   // not an int: declined
		`{"user_info_list":[{"openid":"oA6"}],"more":1}`,          // other keys: declined
	}
	for _, a := range answers {
		var want struct {
			UserInfoList []wechat.UserInfo `json:"user_info_list"`
		}
		werr := json.Unmarshal([]byte(a), &want)
		got, ok := decodeUserInfos(a, nil, 2)
		if !ok {
			continue
		}
		if werr != nil {
			t.Errorf("%s: lean decoder accepted what encoding/json refuses (%v)", a, werr)
			continue
		}
		for i := range want.UserInfoList {
			// Fields the sync does not store are not kept.
			w := &want.UserInfoList[i]
			w.Language, w.Remark, w.GroupID, w.TagIDList, w.QRScene, w.QRSceneStr = "", "", 0, nil, 0, ""
		}
		if len(got) == 0 && len(want.UserInfoList) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, want.UserInfoList) {
			t.Errorf("%s:\n got  %+v\n want %+v", a, got, want.UserInfoList)
		}
	}
	first, ok := decodeUserInfos(answers[0], nil, 2)
	if !ok {
		t.Fatal("the simulator's own answer was declined")
	}
	// A worker's buffer from the last batch is overwritten, not added to.
	stale := []wechat.UserInfo{{OpenID: "oOld1"}, {OpenID: "oOld2"}, {OpenID: "oOld3"}}
	again, ok := decodeUserInfos(answers[0], stale[:0], 2)
	if !ok || !reflect.DeepEqual(again, first) || &again[0] != &stale[0] {
		t.Fatalf("decoded into a used buffer: %+v, want %+v in the same buffer", again, first)
	}
	if _, ok := decodeUserInfos(answers[3], nil, 1); ok {
		t.Fatal("an escaped string was not left to encoding/json")
	}
}

// The user/get decoder reads what encoding/json reads, or declines.
func TestLeanUserGetDecoderAgreesWithEncodingJSON(t *testing.T) {
	answers := []string{
		`{"total":3,"count":2,"data":{"openid":["oA1","oA2"]},"next_openid":"oA2"}`,
		` { "next_openid" : "" , "data" : { "openid" : [ ] } , "count" : 0 , "total" : 0 } `,
		`{"total":0,"count":0,"next_openid":""}`,
		`{"total":1,"count":1,"data":{"openid":["o\u0041"]},"next_openid":"x"}`, // escape: declined
		`{"total":1.5,"count":1,"data":{"openid":["oA"]},"next_openid":""}`,     // not an int: declined
		`{"total":1,"count":1,"data":{"openid":["oA"]},"next_openid":"","x":1}`, // other keys: declined
		`{"total":1,"count":1,"data":{"openid":["oA",]},"next_openid":""}`,      // bad JSON
		`{"total":1,"count":1,"data":{"openid":["oA"]},"next_openid":""} x`,
	}
	accepted := 0
	for _, a := range answers {
		var want wechat.UserList
		werr := json.Unmarshal([]byte(a), &want)
		got, ok := decodeUserList(a)
		if !ok {
			continue
		}
		accepted++
		if werr != nil {
			t.Errorf("%s: lean decoder accepted what encoding/json refuses (%v)", a, werr)
			continue
		}
		if len(want.Data.OpenID) == 0 {
			want.Data.OpenID = got.Data.OpenID[:0:0]
			if got.Data.OpenID == nil {
				want.Data.OpenID = nil
			}
		}
		if !reflect.DeepEqual(*got, want) {
			t.Errorf("%s:\n got  %+v\n want %+v", a, *got, want)
		}
	}
	if accepted != 3 {
		t.Errorf("accepted %d of the first three plain answers and none of the rest, want exactly those 3", accepted)
	}
}

// Openids need no escaping and go out as they are; anything else is
// encoded by encoding/json, so the body is always valid JSON.
func TestWriteQuotedIsJSON(t *testing.T) {
	for _, s := range []string{"oA1b2C3d4-_", "", `a"b`, `a\b`, "a\nb", "<&>", "中文", "\x7f"} {
		var b bytes.Buffer
		writeQuoted(&b, s)
		var back string
		if err := json.Unmarshal(b.Bytes(), &back); err != nil || back != s {
			t.Errorf("%q written as %s, read back %q (%v)", s, b.String(), back, err)
		}
	}
}

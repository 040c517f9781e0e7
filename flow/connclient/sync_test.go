package connclient

import (
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
		got, ok := decodeUserInfos([]byte(a), 2)
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
	if _, ok := decodeUserInfos([]byte(answers[0]), 2); !ok {
		t.Fatal("the simulator's own answer was declined")
	}
	if _, ok := decodeUserInfos([]byte(answers[3]), 1); ok {
		t.Fatal("an escaped string was not left to encoding/json")
	}
}

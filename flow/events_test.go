package flow_test

import (
	"testing"

	"oawizard/flow"
)

// A second window opened on the data folder in the middle of a setup
// reads it and changes nothing the first one shows (secondWindow asserts
// it); the instance lock then refuses the launch.
func TestASecondWindowChangesNothing(t *testing.T) {
	m := newModel(t, t.TempDir(), "quota-exceeded", 3000)
	defer m.close()
	m.scan() // the promised sync stops at the quota
	m.secondWindow()
	m.check()
}

// Settings → another connector: the stored followers stay and are shown
// as stored; that connector never saw this account's scan, so the
// authorization is not shown as held and the sync page asks for a scan,
// which then starts the sync as promised.
func TestAConnectorSwitchKeepsTheSetupAndTheTruth(t *testing.T) {
	m := newModel(t, t.TempDir(), "ok", 0)
	defer m.close()
	m.scan()
	before := m.syncView()
	if !before.Complete {
		t.Fatalf("the first connector's sync: %+v", before)
	}
	m.close()
	m.second = true
	m.open()
	m.check()
	after := m.syncView()
	if after.Stored != before.Stored {
		t.Fatalf("after the switch the page shows %d followers, %d stored before", after.Stored, before.Stored)
	}
	if st := m.w.State(); st.Progress.Authorized {
		t.Fatalf("an authorization the second connector never saw is shown as held: %+v", st)
	}
	if len(after.Actions) != 1 || after.Actions[0] != flow.ActionRescan || after.AutoStart {
		t.Fatalf("the sync page after the switch: %+v", after)
	}
	m.scan()
	m.check()
	if v := m.syncView(); !v.Complete || v.Ended == "" {
		t.Fatalf("the sync after a scan on the second connector: %+v", v)
	}
}

// Found by the walks: in the flaky scenario the phone's page may say
// WeChat is busy and to scan again; scanned again, the authorization
// completes and the promised sync runs.
func TestAScanAgainAfterWeChatWasBusyAuthorizes(t *testing.T) {
	m := newModel(t, t.TempDir(), "flaky", 0)
	defer m.close()
	m.scan()
	m.check()
	if st := m.w.State(); !st.Progress.Authorized {
		t.Fatalf("after the scan: %+v", st.Progress)
	}
}

package rule

import "testing"

// The constructs of the twelve community rules CompileMulti refused
// before (docs/yaral_windows.md, "Community rules"), each on a planted
// corpus whose detections are worked out by hand.

// TestMultiParenthesisedGroups: each variable's terms in a parenthesised
// group (Google's entra_id_recently_created_user_assigned_azuread_roles
// shape): the group is a conjunction of terms, the placeholder
// assignments inside it included. By hand, 30m hop windows per
// (principal, target): admin creates bob at 1000 and adds
// bob@contoso.com (bob once the domain is cut) to a role at 1300: a
// detection [1000,2800] of records 1 and 2; a second role assignment at
// 4000 is 3000s after the creation: none. admin creates carol at 2000,
// but carol's role came at 1900, before it: none (time ordering).
func TestMultiParenthesisedGroups(t *testing.T) {
	m := compileMulti(t, `rule created_user_assigned_role {
  meta:
    author = "t"
  events:
    (
        $create.metadata.event_type = "USER_CREATION" and
        $create.principal.user.userid = $principal_userid and
        $create.target.user.userid = $target_userid
    )
    $create.metadata.event_timestamp.seconds < $role.metadata.event_timestamp.seconds
    (
        $role.metadata.event_type = "USER_CHANGE_PERMISSIONS" and
        $role.principal.user.userid = $principal_userid and
        re.replace($role.target.user.userid, "@.*$", "") = $target_userid
    )
  match:
    $principal_userid, $target_userid over 30m
  outcome:
    $roles = array_distinct($role.target.user.title)
  condition:
    $create and $role
}`)
	create := func(rec, secs int64, who, target string) planted {
		return planted{rec, secs, map[string]string{"metadata.event_type": "USER_CREATION", "principal.user.userid": who, "target.user.userid": target}}
	}
	role := func(rec, secs int64, who, target, title string) planted {
		return planted{rec, secs, map[string]string{"metadata.event_type": "USER_CHANGE_PERMISSIONS", "principal.user.userid": who,
			"target.user.userid": target, "target.user.title": title}}
	}
	evs := []planted{
		create(1, 1000, "admin", "bob"), role(2, 1300, "admin", "bob@contoso.com", "Global Administrator"),
		role(3, 4000, "admin", "bob@contoso.com", "Reader"),
		create(4, 2000, "admin", "carol"), role(5, 1900, "admin", "carol@contoso.com", "Global Administrator"),
	}
	checkMulti(t, m, evs, []string{
		`principal_userid=admin,target_userid=bob [1000,2800] events=1,2 roles=["Global Administrator"]`,
	})
}

// TestMultiAggregateOverJoinedEvents: an aggregation whose argument
// reads two event variables (Google's
// aws_successful_login_after_multiple_failed_attempts: max(if($fail.x =
// $success.x, 40) + if($success.x = "Iran", 10))) folds over the pairs
// of events that satisfy the joins between them (here the success after
// the failure). By hand, 15m windows per user:
//   - alice fails at 100 (US) and 200 (US), succeeds at 300 (FR), fails
//     at 400 (FR). The failure at 400 has no later success: the join
//     drops it. Pairs (100,300) and (200,300): 0 + 0; risk 0.
//   - bob fails at 100 (Iran) and 150 (US), succeeds at 300 (Iran).
//     Pairs: (100,300) 40 + 10 = 50, (150,300) 0 + 10 = 10; risk 50.
func TestMultiAggregateOverJoinedEvents(t *testing.T) {
	m := compileMulti(t, `rule login_after_failures {
  meta:
    author = "t"
  events:
    $fail.security_result.action = "BLOCK"
    $fail.target.user.user_display_name = $user
    $success.security_result.action = "ALLOW"
    $success.target.user.user_display_name = $user
    $success.metadata.event_timestamp.seconds > $fail.metadata.event_timestamp.seconds
  match:
    $user over 15m
  outcome:
    $risk_score = max(
        if($fail.principal.location.country_or_region = $success.principal.location.country_or_region, 40) +
        if($success.principal.location.country_or_region = "Iran", 10)
    )
    $fails = count($fail.metadata.id)
  condition:
    #fail > 1 and $success
}`)
	ev := func(rec, secs int64, action, user, country string) planted {
		return planted{rec, secs, map[string]string{"security_result.action": action, "target.user.user_display_name": user,
			"principal.location.country_or_region": country, "metadata.id": "id"}}
	}
	evs := []planted{
		ev(1, 100, "BLOCK", "alice", "US"), ev(2, 200, "BLOCK", "alice", "US"), ev(3, 300, "ALLOW", "alice", "FR"), ev(4, 400, "BLOCK", "alice", "FR"),
		ev(5, 100, "BLOCK", "bob", "Iran"), ev(6, 150, "BLOCK", "bob", "US"), ev(7, 300, "ALLOW", "bob", "Iran"),
	}
	want := []string{
		`user=alice [100,1000] events=1,2,3 risk_score=0 fails=2`,
		`user=bob [100,1000] events=5,6,7 risk_score=50 fails=2`,
	}
	checkMulti(t, m, evs, want)
	// The rule compiled again (the loader compiles it, then the scan):
	// the same detections.
	again, err := CompileMulti(m.Rule, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	checkMulti(t, again, evs, want)
}

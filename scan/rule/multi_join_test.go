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

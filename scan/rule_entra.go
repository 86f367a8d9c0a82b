package scan

import (
	"strconv"

	"github.com/retrohunt/retrohunt/output"
	"github.com/retrohunt/retrohunt/scan/udm"
)

// tenantHit fills the columns of a hit on an Entra ID or Graph record
// whose UDM fields differ from the Activity log's (docs/output.md): the
// account is the tenant, the principal is the user who signed in (a
// sign-in's target.user in SecOps' mapping), who acted (an audit
// record's initiator, user or app) or the object id behind a Graph
// request; the result comes from the sign-in's error code, the audit
// result or the HTTP status.
func tenantHit(h *output.Hit, ev *udm.Event) {
	h.AccountID = ev.First("metadata.product_deployment_id")
	switch ev.Type {
	case udm.AzureADSignIn:
		h.PrincipalUser = ev.First("target.user.userid")
	case udm.AzureADAudit:
		h.PrincipalUser = firstNonEmpty(ev.First("principal.user.userid"), ev.First("principal.application"), ev.First("principal.user.product_object_id"))
	case udm.GraphActivity:
		h.PrincipalUser = ev.First("principal.user.product_object_id")
		h.TargetResource = ev.First("target.url")
		h.ResultDetail = ev.First("network.http.response_code")
		h.Result = ""
		if code, err := strconv.Atoi(h.ResultDetail); err == nil {
			h.Result = "success"
			if code >= 400 {
				h.Result = "failure"
			}
		}
		return
	}
	switch ev.First("security_result.action") {
	case "ALLOW":
		h.Result = "success"
	case "BLOCK":
		h.Result = "failure"
	}
	if h.ResultDetail == "" && h.Result == "failure" {
		h.ResultDetail = ev.First("security_result.rule_id")
	}
}

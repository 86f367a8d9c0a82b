package gen

import (
	"sort"
	"strconv"
	"strings"
	"time"
)

// Azure Activity Log, blob-export schema (docs/sources.md, "Layouts"; samples
// azure_*_export.json and the msdocs and elastic records).

type azSub struct {
	id       string // lower-case GUID
	tenant   string
	location string
	rgs      []string
	vms      []azRes
	vmss     []azRes
	aks      []azRes
	nsgs     []azRes
	storage  []azRes
	vaults   []azRes
	sites    []azRes
	users    []*azPrincipal
	sps      []*azPrincipal
}

// azRes is a resource by its canonical (ARM) id.
type azRes struct {
	id string
	rg string
}

type azPrincipal struct {
	upn      string // empty for service principals
	name     string
	objectID string // GUID
	evidence string // principalId as the evidence writes it: 32 hex
	appID    string
	ip       string
	role     string
	roleAsg  string
	roleDef  string
}

func newSub(r *rng, id string) *azSub {
	s := &azSub{id: strings.ToLower(id), tenant: r.uuid(), location: pick(r, []string{"westeurope", "eastus", "northeurope"})}
	s.rgs = []string{"rg-prod-web", "rg-prod-data", "rg-shared-infra", "rg-aks-prod", "rg-dev-sandbox"}
	base := "/subscriptions/" + s.id + "/resourceGroups/"
	for i := 0; i < 12; i++ {
		rg := s.rgs[i%3]
		if i >= 9 {
			rg = s.rgs[4]
		}
		s.vms = append(s.vms, azRes{id: base + rg + "/providers/Microsoft.Compute/virtualMachines/vm-" + []string{"web", "api", "db", "jump"}[i%4] + "-0" + strconv.Itoa(i/4+1), rg: rg})
	}
	for _, n := range []string{"vmss-batch", "vmss-api"} {
		s.vmss = append(s.vmss, azRes{id: base + s.rgs[0] + "/providers/Microsoft.Compute/virtualMachineScaleSets/" + n, rg: s.rgs[0]})
	}
	s.aks = []azRes{{id: base + s.rgs[3] + "/providers/Microsoft.ContainerService/managedClusters/aks-prod-" + r.str(hexLower, 4), rg: s.rgs[3]}}
	for _, n := range []string{"nsg-web", "nsg-data", "nsg-jump"} {
		s.nsgs = append(s.nsgs, azRes{id: base + s.rgs[2] + "/providers/Microsoft.Network/networkSecurityGroups/" + n, rg: s.rgs[2]})
	}
	for _, n := range []string{"stprodlogs", "stproddata", "stdevscratch"} {
		s.storage = append(s.storage, azRes{id: base + s.rgs[1] + "/providers/Microsoft.Storage/storageAccounts/" + n + r.str(hexLower, 6), rg: s.rgs[1]})
	}
	s.vaults = []azRes{{id: base + s.rgs[2] + "/providers/Microsoft.KeyVault/vaults/kv-prod-" + r.str(hexLower, 6), rg: s.rgs[2]}}
	s.sites = []azRes{{id: base + s.rgs[0] + "/providers/Microsoft.Web/sites/app-orders-prod", rg: s.rgs[0]}}
	roles := []string{"Owner", "Contributor", "Virtual Machine Contributor"}
	for i := 0; i < 5; i++ {
		first, last := pick(r, firstNames), pick(r, lastNames)
		p := &azPrincipal{upn: first + "." + last + "@contoso.onmicrosoft.com", name: first + " " + last}
		p.appID = pick(r, []string{"c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "1950a258-227b-4e31-a9cf-717495945fc2"})
		p.role = roles[i%len(roles)]
		s.users = append(s.users, finishPrincipal(r, p, s, i == 3))
	}
	for _, n := range []string{"github-actions-deploy", "terraform-cloud", "aks-autoscaler-mi"} {
		p := &azPrincipal{name: n, appID: r.uuid(), role: "Contributor"}
		s.sps = append(s.sps, finishPrincipal(r, p, s, false))
	}
	return s
}

func finishPrincipal(r *rng, p *azPrincipal, s *azSub, v6 bool) *azPrincipal {
	p.objectID = r.uuid()
	p.evidence = strings.ReplaceAll(p.objectID, "-", "")
	p.roleAsg = r.str(hexLower, 32)
	p.roleDef = r.str(hexLower, 32)
	if v6 {
		p.ip = "2a01:110:8012:1010:" + r.str(hexLower, 4) + ":" + r.str(hexLower, 4) + ":" + r.str(hexLower, 4) + ":" + r.str(hexLower, 4)
	} else {
		p.ip = string(appendIPv4(nil, publicIPv4(r)))
	}
	return p
}

// azOpDef is one kind of control-plane operation.
type azOpDef struct {
	action string // canonical casing, as identity.authorization.action writes it
	res    func(r *rng, s *azSub) (resourceID, scope string)
	async  bool   // Start, Accept, then Success
	ok     string // statusCode on success
	weight int
	kind   string // positive Kind, or decoy kind
	policy bool   // writes may draw a Policy audit record
}

func resOf(list func(s *azSub) []azRes, suffix func(r *rng) string) func(r *rng, s *azSub) (string, string) {
	return func(r *rng, s *azSub) (string, string) {
		id := pick(r, list(s)).id
		if suffix != nil {
			id += suffix(r)
		}
		return id, id
	}
}

func vms(s *azSub) []azRes     { return s.vms }
func vmss(s *azSub) []azRes    { return s.vmss }
func aks(s *azSub) []azRes     { return s.aks }
func nsgs(s *azSub) []azRes    { return s.nsgs }
func storage(s *azSub) []azRes { return s.storage }
func vaults(s *azSub) []azRes  { return s.vaults }
func sites(s *azSub) []azRes   { return s.sites }

func fixed(s string) func(r *rng) string { return func(*rng) string { return s } }

func rgScoped(provider string, name func(r *rng) string) func(r *rng, s *azSub) (string, string) {
	return func(r *rng, s *azSub) (string, string) {
		id := "/subscriptions/" + s.id + "/resourceGroups/" + pick(r, s.rgs) + "/providers/" + provider + "/" + name(r)
		return id, id
	}
}

var azNoise = []azOpDef{
	{action: "Microsoft.Compute/virtualMachines/write", res: resOf(vms, nil), async: true, ok: "OK", weight: 120, policy: true},
	{action: "Microsoft.Compute/virtualMachines/start/action", res: resOf(vms, nil), async: true, ok: "OK", weight: 90},
	{action: "Microsoft.Compute/virtualMachines/deallocate/action", res: resOf(vms, nil), async: true, ok: "OK", weight: 90},
	{action: "Microsoft.Compute/virtualMachines/restart/action", res: resOf(vms, nil), async: true, ok: "OK", weight: 30},
	{action: "Microsoft.Compute/disks/write", res: rgScoped("Microsoft.Compute/disks", func(r *rng) string { return "disk-data-" + strconv.Itoa(r.intn(30)) }), async: true, ok: "OK", weight: 40, policy: true},
	{action: "Microsoft.Network/networkSecurityGroups/write", res: resOf(nsgs, nil), async: true, ok: "OK", weight: 60, policy: true},
	{action: "Microsoft.Network/networkSecurityGroups/securityRules/write", res: resOf(nsgs, func(r *rng) string {
		return "/securityRules/allow-" + pick(r, []string{"https", "ssh-vpn", "rdp-bastion"})
	}), async: true, ok: "Created", weight: 40},
	{action: "Microsoft.Storage/storageAccounts/listKeys/action", res: resOf(storage, nil), ok: "OK", weight: 200},
	{action: "Microsoft.Storage/storageAccounts/write", res: resOf(storage, nil), ok: "OK", weight: 20, policy: true},
	{action: "Microsoft.Authorization/roleAssignments/write", res: func(r *rng, s *azSub) (string, string) {
		id := "/subscriptions/" + s.id + "/resourceGroups/" + pick(r, s.rgs) + "/providers/Microsoft.Authorization/roleAssignments/" + r.uuid()
		return id, id
	}, ok: "Created", weight: 25},
	{action: "Microsoft.Resources/deployments/write", res: rgScoped("Microsoft.Resources/deployments", func(r *rng) string { return "Microsoft.Template-" + r.str("0123456789", 14) }), async: true, ok: "Created", weight: 60},
	{action: "Microsoft.Resources/deployments/validate/action", res: rgScoped("Microsoft.Resources/deployments", func(r *rng) string { return "pipeline-" + r.str(hexLower, 8) }), ok: "OK", weight: 30},
	{action: "Microsoft.Insights/diagnosticSettings/write", res: func(r *rng, s *azSub) (string, string) {
		id := "/subscriptions/" + s.id + "/providers/microsoft.insights/diagnosticSettings/export-activity-logs"
		return id, id
	}, ok: "OK", weight: 10},
	{action: "Microsoft.KeyVault/vaults/write", res: resOf(vaults, nil), ok: "OK", weight: 15, policy: true},
	{action: "Microsoft.Web/sites/write", res: resOf(sites, nil), ok: "OK", weight: 30},
	{action: "Microsoft.Web/sites/restart/action", res: resOf(sites, nil), ok: "OK", weight: 20},
	{action: "Microsoft.Web/sites/config/list/action", res: resOf(sites, func(*rng) string { return "/config/publishingcredentials" }), ok: "OK", weight: 60},
	{action: "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action", res: resOf(aks, nil), ok: "OK", weight: 60},
}

var azNoiseTotal = func() int {
	n := 0
	for _, d := range azNoise {
		n += d.weight
	}
	return n
}()

var azPlanted = map[string]azOpDef{
	KindAzVMRunCommand: {action: "Microsoft.Compute/virtualMachines/runCommand/action", res: resOf(vms, nil), async: true, ok: "OK"},
	KindAzVMRunCommandsWrite: {action: "Microsoft.Compute/virtualMachines/runCommands/write",
		res: resOf(vms, func(r *rng) string {
			return "/runCommands/" + pick(r, []string{"rc-diag", "rc-patch", "RunPowerShellScript"})
		}), async: true, ok: "Created"},
	KindAzSerialConsole: {action: "Microsoft.SerialConsole/serialPorts/connect/action", res: func(r *rng, s *azSub) (string, string) {
		vm := pick(r, s.vms).id
		return vm, vm + "/providers/Microsoft.SerialConsole/serialPorts/0"
	}, ok: "OK"},
	KindAzVMExtension: {action: "Microsoft.Compute/virtualMachines/extensions/write",
		res: resOf(vms, func(r *rng) string {
			return "/extensions/" + pick(r, []string{"CustomScriptExtension", "CustomScript", "enablevmaccess"})
		}), async: true, ok: "Created"},
	KindAzVMSSRunCommand: {action: "Microsoft.Compute/virtualMachineScaleSets/virtualMachines/runCommand/action",
		res: resOf(vmss, func(r *rng) string { return "/virtualMachines/" + strconv.Itoa(r.intn(6)) }), async: true, ok: "OK"},
	KindAzVMSSExtension: {action: "Microsoft.Compute/virtualMachineScaleSets/extensions/write",
		res: resOf(vmss, func(r *rng) string { return "/extensions/" + pick(r, []string{"CustomScript", "customScriptLinux"}) }), async: true, ok: "Created"},
	KindAzAKSRunCommand: {action: "Microsoft.ContainerService/managedClusters/runCommand/action", res: resOf(aks, nil), async: true, ok: "OK"},

	"azure-runcommands-read": {action: "Microsoft.Compute/virtualMachines/runCommands/read",
		res: resOf(vms, func(r *rng) string { return "/runCommands/rc-diag" }), ok: "OK"},
	"azure-runcommands-delete": {action: "Microsoft.Compute/virtualMachines/runCommands/delete",
		res: resOf(vms, func(r *rng) string { return "/runCommands/rc-patch" }), async: true, ok: "OK"},
	"azure-extensions-read": {action: "Microsoft.Compute/virtualMachines/extensions/read",
		res: resOf(vms, func(r *rng) string { return "/extensions/CustomScriptExtension" }), ok: "OK"},
}

type azStage uint8

const (
	stStart azStage = iota
	stAccept
	stSuccess
	stFailure
	stPolicy
)

// azOp is one operation instance; it emits one record per stage.
type azOp struct {
	def       *azOpDef
	p         *azPrincipal
	res       string // canonical resource id
	scope     string
	corr      string
	casing    uint8 // 0 upper, 1 canonical, 2 lower (resourceId and operationName)
	location  string
	fail      bool
	planted   *plant
	durations [3]int // ms after start of accept, end
}

type azRec struct {
	t     time.Time
	op    int
	stage azStage
}

type azWriter struct {
	cfg  *Config
	r    rng
	s    *azSub
	ops  []azOp
	recs []azRec
}

// blob renders one hourly PT1H.json body.
func (z *azWriter) blob(b []byte, w *world, o *object, res *result) []byte {
	z.r = newRNG(o.seed)
	z.s = w.subs[o.acct]
	z.ops, z.recs = z.ops[:0], z.recs[:0]
	for len(z.recs) < o.n {
		d := z.pickNoise()
		z.addOp(o.t, d, nil, z.r.chance(30))
	}
	for i := range o.plants {
		d := azPlanted[o.plants[i].kind]
		z.addOp(o.t, &d, &o.plants[i], o.plants[i].fail)
	}
	sort.SliceStable(z.recs, func(i, j int) bool { return z.recs[i].t.Before(z.recs[j].t) })

	if o.legacy {
		b = append(b, `{"records":[`...)
	}
	for i, rec := range z.recs {
		if o.legacy {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, '\n')
		}
		op := &z.ops[rec.op]
		b = z.record(b, op, rec)
		if !o.legacy {
			b = append(b, '\n')
		}
		if pl := op.planted; pl != nil && rec.stage != stPolicy {
			name := z.opName(op, rec.stage)
			if pl.decoy {
				res.decoys = append(res.decoys, Decoy{Key: o.key, RecordIndex: i, EventName: name, Kind: pl.kind})
				continue
			}
			result := "pending"
			switch rec.stage {
			case stSuccess:
				result = "success"
			case stFailure:
				result = "failure"
			}
			who := op.p.upn
			if who == "" {
				who = op.p.evidence
			}
			res.truth = append(res.truth, Truth{Key: o.key, RecordIndex: i, LogType: logAzure, EventName: name,
				EventID: op.corr, Principal: who, Result: result, Kind: pl.kind})
		}
	}
	if o.legacy {
		b = append(b, "\n]}\n"...)
	}
	res.records = len(z.recs)
	if len(z.recs) > 0 {
		res.oldest, res.newest = z.recs[0].t, z.recs[len(z.recs)-1].t
	}
	return b
}

func (z *azWriter) pickNoise() *azOpDef {
	n := z.r.intn(azNoiseTotal)
	for i := range azNoise {
		if n < azNoise[i].weight {
			return &azNoise[i]
		}
		n -= azNoise[i].weight
	}
	panic("BUG: azure noise weights")
}

func (z *azWriter) addOp(hour time.Time, d *azOpDef, pl *plant, fail bool) {
	op := azOp{def: d, planted: pl, fail: fail, corr: z.r.uuid(), location: "global"}
	if z.r.chance(200) {
		op.location = z.s.location
	}
	if pl != nil && !pl.decoy || z.r.chance(700) {
		op.p = pick(&z.r, z.s.users)
	} else {
		op.p = pick(&z.r, z.s.sps)
	}
	op.res, op.scope = d.res(&z.r, z.s)
	switch n := z.r.intn(100); {
	case n < 70:
		op.casing = 0
	case n < 95:
		op.casing = 1
	default:
		op.casing = 2
	}
	end := z.r.between(300, 90000)
	op.durations = [3]int{0, z.r.between(100, min(end, 2000)), end}
	// Keep every stage inside the hour.
	startNS := int64(z.r.intn(3600-91)) * int64(time.Second)
	startNS += int64(z.r.intn(int(time.Second/100))) * 100
	start := hour.Add(time.Duration(startNS))
	i := len(z.ops)
	z.ops = append(z.ops, op)
	z.recs = append(z.recs, azRec{t: start, op: i, stage: stStart})
	if d.async && !fail {
		z.recs = append(z.recs, azRec{t: start.Add(time.Duration(op.durations[1]) * time.Millisecond), op: i, stage: stAccept})
	}
	last := stSuccess
	if fail {
		last = stFailure
	}
	endT := start.Add(time.Duration(end)*time.Millisecond + time.Duration(z.r.intn(10000))*100)
	z.recs = append(z.recs, azRec{t: endT, op: i, stage: last})
	if d.policy && !fail && z.r.chance(150) {
		z.recs = append(z.recs, azRec{t: start.Add(time.Duration(z.r.intn(900)) * time.Millisecond), op: i, stage: stPolicy})
	}
}

// recase returns s upper-cased, as is, or lower-cased.
func recase(s string, casing uint8) string {
	switch casing {
	case 0:
		return strings.ToUpper(s)
	case 2:
		return strings.ToLower(s)
	}
	return s
}

func (z *azWriter) opName(op *azOp, st azStage) string {
	if st == stPolicy {
		return recase("Microsoft.Authorization/policies/audit/action", op.casing)
	}
	return recase(op.def.action, op.casing)
}

// resourceID renders the id as the export does: upper case; or as ARM
// writes it with "resourcegroups" in lower case (the elastic mixed-case
// sample); or all lower case.
func resourceID(id string, casing uint8) string {
	switch casing {
	case 0:
		return strings.ToUpper(id)
	case 1:
		return strings.Replace(id, "/resourceGroups/", "/resourcegroups/", 1)
	}
	return strings.ToLower(id)
}

func (z *azWriter) record(b []byte, op *azOp, rec azRec) []byte {
	st := rec.stage
	b = append(b, '{')
	b = appendTime7(key(b, "time"), rec.t)
	b = fstr(b, "resourceId", resourceID(op.res, op.casing))
	b = fstr(b, "operationName", z.opName(op, st))
	category := "Administrative"
	if st == stPolicy {
		category = "Policy"
	}
	b = fstr(b, "category", category)
	var resultType, sig, status string
	switch st {
	case stStart:
		resultType, sig = "Start", "Started."
	case stAccept:
		resultType, sig, status = "Accept", "Accepted.Created", "Accepted"
	case stSuccess:
		resultType, sig, status = "Success", "Succeeded."+op.def.ok, op.def.ok
	case stFailure:
		resultType, sig, status = "Failure", "Failed.Forbidden", "Forbidden"
	case stPolicy:
		resultType, sig = "Success", "Succeeded"
	}
	b = fstr(b, "resultType", resultType)
	b = fstr(b, "resultSignature", sig)
	dur := 0
	switch st {
	case stAccept:
		dur = op.durations[1]
	case stSuccess, stFailure:
		dur = op.durations[2]
	}
	if z.r.chance(300) {
		b = fstr(b, "durationMs", strconv.Itoa(dur))
	} else {
		b = fint(b, "durationMs", int64(dur))
	}
	ip := op.p.ip
	if z.r.chance(15) {
		ip = "Microsoft.Resources"
	}
	b = fstr(b, "callerIpAddress", ip)
	b = fstr(b, "correlationId", op.corr)
	b = z.identity(b, op, rec.t)
	level := "Information"
	switch st {
	case stFailure:
		level = "Error"
	case stPolicy:
		level = "Warning"
	}
	b = fstr(b, "level", level)
	b = fstr(b, "location", op.location)
	b = fobj(b, "properties")
	if st == stPolicy {
		b = fstr(b, "isComplianceCheck", "False")
		b = fstr(b, "resourceLocation", z.s.location)
		b = fstr(b, "ancestors", z.s.tenant)
		b = fstr(b, "policies", `[{"policyDefinitionId":"/providers/Microsoft.Authorization/policyDefinitions/0a914e76-4921-4c19-b460-a2d36003525a","policySetDefinitionId":"/providers/Microsoft.Authorization/policySetDefinitions/1f3afdf9-d0c9-4c3d-847f-89da613e70a8","policyDefinitionReferenceId":"auditresourcelocationmatchresourcegrouplocation","policySetDefinitionName":"1f3afdf9-d0c9-4c3d-847f-89da613e70a8","policyDefinitionName":"0a914e76-4921-4c19-b460-a2d36003525a","policyDefinitionEffect":"Audit","policyAssignmentId":"/subscriptions/`+z.s.id+`/providers/Microsoft.Authorization/policyAssignments/SecurityCenterBuiltIn","policyAssignmentName":"SecurityCenterBuiltIn","policyAssignmentScope":"/subscriptions/`+z.s.id+`"}]`)
		b = fstr(b, "hierarchy", "")
	} else {
		if status != "" {
			b = fstr(b, "statusCode", status)
		}
		if st == stSuccess || st == stFailure {
			b = fnull(b, "serviceRequestId")
		}
		if st == stFailure {
			b = fstr(b, "statusMessage", `{"error":{"code":"AuthorizationFailed","message":"The client '`+op.p.objectID+`' with object id '`+op.p.objectID+`' does not have authorization to perform action '`+op.def.action+`' over scope '`+op.scope+`' or the scope is invalid. If access was recently granted, please refresh your credentials."}}`)
		}
		b = fstr(b, "eventCategory", "Administrative")
		b = fstr(b, "entity", op.scope)
		b = fstr(b, "message", op.def.action)
		b = fstr(b, "hierarchy", z.s.tenant+"/"+z.s.id)
	}
	b = append(b, '}')
	if z.r.chance(100) {
		b = fstr(b, "tenantId", z.s.tenant)
	}
	return append(b, '}')
}

func (z *azWriter) identity(b []byte, op *azOp, t time.Time) []byte {
	p := op.p
	b = fobj(b, "identity")
	b = fobj(b, "authorization")
	b = fstr(b, "scope", op.scope)
	b = fstr(b, "action", op.def.action)
	b = fobj(b, "evidence")
	b = fstr(b, "role", p.role)
	b = fstr(b, "roleAssignmentScope", "/subscriptions/"+z.s.id)
	b = fstr(b, "roleAssignmentId", p.roleAsg)
	b = fstr(b, "roleDefinitionId", p.roleDef)
	b = fstr(b, "principalId", p.evidence)
	if p.upn != "" {
		b = fstr(b, "principalType", "User")
	} else {
		b = fstr(b, "principalType", "ServicePrincipal")
	}
	b = append(b, '}', '}')
	b = fobj(b, "claims")
	b = fstr(b, "aud", "https://management.core.windows.net/")
	b = fstr(b, "iss", "https://sts.windows.net/"+z.s.tenant+"/")
	iat := t.Add(-time.Duration(z.r.intn(3000)) * time.Second).Unix()
	b = fstr(b, "iat", strconv.FormatInt(iat, 10))
	b = fstr(b, "nbf", strconv.FormatInt(iat, 10))
	b = fstr(b, "exp", strconv.FormatInt(iat+4500, 10))
	if p.upn != "" {
		b = fstr(b, "http://schemas.microsoft.com/claims/authnclassreference", "1")
		b = fstr(b, "http://schemas.microsoft.com/claims/authnmethodsreferences", "pwd,mfa")
	}
	b = fstr(b, "appid", p.appID)
	if p.upn != "" {
		b = fstr(b, "appidacr", "0")
		first, last, _ := strings.Cut(p.name, " ")
		b = fstr(b, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname", first)
		b = fstr(b, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname", last)
		b = fstr(b, "name", p.name)
	} else {
		b = fstr(b, "appidacr", "2")
		b = fstr(b, "idtyp", "app")
	}
	b = fstr(b, "ipaddr", p.ip)
	b = fstr(b, "http://schemas.microsoft.com/identity/claims/objectidentifier", p.objectID)
	if p.upn != "" {
		b = fstr(b, "http://schemas.microsoft.com/identity/claims/scope", "user_impersonation")
	}
	b = fstr(b, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier", p.objectID)
	b = fstr(b, "http://schemas.microsoft.com/identity/claims/tenantid", z.s.tenant)
	if p.upn != "" {
		b = fstr(b, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", p.upn)
		b = fstr(b, "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", p.upn)
	}
	b = append(key(b, "uti"), '"')
	b = append(z.r.appendRand(b, alnum, 22), '"')
	b = fstr(b, "ver", "1.0")
	return append(b, '}', '}')
}

package gen

import (
	"strconv"
	"strings"
)

// world holds the actors and resources every object draws from. It is
// built once from the seed, then shared read-only by the workers; the
// userIdentity objects and other repeated fragments are rendered here
// once so the record loop only copies bytes.
type world struct {
	accounts []*awsAccount
	subs     []*azSub
	trail    string // trail name, in digest keys
	bucket   string // the trail's bucket, in digests
}

type awsAccount struct {
	id       string
	regions  []*awsRegion
	humans   []*identity // IAM users and SSO sessions: CLI, SDK, console
	services []*identity // Lambda and ECS task roles
	events   *identity   // an EventBridge-invoked automation role
	aws      []*identity // AWSService principals (invokedBy)
	buckets  []string
	roles    []string // role ARNs that AssumeRole targets
}

type awsRegion struct {
	name      string
	azID      string // "use1", as in availabilityZoneId
	instances []*instance
	kmsKeys   []string // key ARNs
	eice      string   // EC2 Instance Connect Endpoint id
	tls12     map[string][]byte
	tls13     map[string][]byte
}

// instance is an EC2 instance running the SSM agent.
type instance struct {
	id        string
	ident     *identity
	ua        string // agent user agent
	ip        string // public or NAT address the agent calls from
	privateIP string
	uii       []byte // requestParameters of its UpdateInstanceInformation
	windows   bool
}

type identityKind uint8

const (
	idIAMUser identityKind = iota
	idSSO
	idRole    // role session: instance, Lambda, ECS, automation
	idService // AWSService
)

type identity struct {
	kind    identityKind
	arn     string
	name    string // user name, session name or service principal
	ip      string
	uas     []string
	tls13   bool
	json    []byte // the rendered userIdentity object
	invoked string // invokedBy, when set
}

func (id *identity) ua(r *rng) string { return pick(r, id.uas) }

var cliUAs = []string{
	"aws-cli/2.15.30 Python/3.11.8 Linux/6.5.0-1014-aws exe/x86_64.amzn.2023 prompt/off",
	"aws-cli/2.17.13 Python/3.11.9 Darwin/23.5.0 exe/x86_64 prompt/off",
	"aws-cli/1.29.62 Python/3.9.16 Linux/5.10.192-183.736.amzn2.x86_64 botocore/1.31.62",
	"Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.5.0-1014-aws md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69",
	"APN/1.0 HashiCorp/1.0 Terraform/1.7.5 (+https://www.terraform.io) terraform-provider-aws/5.44.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.26.1 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#amd64",
}

var consoleUAs = []string{
	"AWS Internal",
	"aws-internal/3 aws-sdk-java/1.12.677 Linux/5.10.213-180.882.amzn2int.x86_64 OpenJDK_64-Bit_Server_VM/25.402-b08 java/1.8.0_402 vendor/Oracle_Corporation cfg/retry-mode/standard",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
}

var serviceUAs = []string{
	"aws-sdk-java/2.25.16 Linux/5.10.213-201.855.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.10+8-LTS Java/17.0.10 vendor/Amazon.com_Inc. md/internal exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy",
	"Boto3/1.34.42 md/Botocore#1.34.42 ua/2.0 os/linux#5.10.209-219.836.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.2 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.42",
	"aws-sdk-go-v2/1.25.3 os/linux lang/go#1.22.1 md/GOOS#linux md/GOARCH#arm64 exec-env/AWS_Lambda_provided.al2023",
}

var agentUAs = []string{
	"aws-sdk-go/1.44.260 (go1.20.8; linux; amd64) amazon-ssm-agent/",
	"aws-sdk-go/1.44.260 (go1.20.8; linux; arm64) amazon-ssm-agent/",
	"aws-sdk-go/1.44.302 (go1.21.6; linux; amd64) amazon-ssm-agent/",
}

const agentUAWindows = "aws-sdk-go/1.44.302 (go1.21.6; windows; amd64) amazon-ssm-agent/"

var firstNames = []string{"alice", "bob", "carol", "dmitri", "erin", "farah", "gus", "hiro", "ines", "jamal", "kofi", "lena"}
var lastNames = []string{"martin", "nguyen", "okafor", "patel", "quinn", "rossi", "schmidt", "tanaka", "ulloa", "varga"}

var awsServices = []string{"ec2", "ssm", "sts", "kms", "s3", "iam", "ec2-instance-connect", "api.tunneling.iot"}

func newWorld(cfg *Config) *world {
	r := newRNG(derive(uint64(cfg.Seed), 1))
	w := &world{trail: "org-management-events"}
	if cfg.OrgID == "" {
		w.trail = "management-events"
	}
	w.bucket = "aws-cloudtrail-logs-" + cfg.AWSAccounts[0] + "-" + r.str(hexLower, 8)
	for _, id := range cfg.AWSAccounts {
		w.accounts = append(w.accounts, newAccount(&r, id, cfg.Regions))
	}
	for _, sub := range cfg.Subscriptions {
		w.subs = append(w.subs, newSub(&r, sub))
	}
	return w
}

func newAccount(r *rng, id string, regions []string) *awsAccount {
	a := &awsAccount{id: id}
	for i := 0; i < 3; i++ {
		name := pick(r, firstNames) + "." + pick(r, lastNames)
		if i == 0 {
			name = "ci-deploy"
		}
		a.humans = append(a.humans, iamUser(r, id, name))
	}
	ssoRoles := []string{"AWSReservedSSO_AdministratorAccess_", "AWSReservedSSO_PowerUserAccess_", "AWSReservedSSO_ReadOnlyAccess_"}
	for i := 0; i < 4; i++ {
		role := ssoRoles[i%len(ssoRoles)] + r.str(hexLower, 16)
		user := pick(r, firstNames) + "." + pick(r, lastNames) + "@example.com"
		a.humans = append(a.humans, roleSession(r, id, role, "/aws-reserved/sso.amazonaws.com/", user, idSSO))
	}
	for _, fn := range []string{"order-processor", "thumbnail-resizer", "nightly-report"} {
		role := fn + "-role-" + r.str(alnum[10:36], 8)
		s := roleSession(r, id, role, "/service-role/", fn, idRole)
		s.uas = serviceUAs
		a.services = append(a.services, s)
	}
	task := roleSession(r, id, "ecs-task-api", "/", r.str(hexLower, 32), idRole)
	task.uas = serviceUAs[:1]
	a.services = append(a.services, task)
	a.events = roleSession(r, id, "EventBridge-Invoke-SSM-Automation", "/service-role/", r.str(hexLower, 32), idRole)
	a.events.invoked = "events.amazonaws.com"
	a.events.ip = "events.amazonaws.com"
	a.events.uas = []string{"events.amazonaws.com"}
	a.events.json = renderRoleIdentity(a.events, id, "EventBridge-Invoke-SSM-Automation", "/service-role/", r)
	for _, svc := range []string{"ec2.amazonaws.com", "lambda.amazonaws.com", "cloudtrail.amazonaws.com", "ecs-tasks.amazonaws.com"} {
		s := &identity{kind: idService, name: svc, ip: svc, uas: []string{svc}, invoked: svc}
		s.json = renderIdentity(s, id, r)
		a.aws = append(a.aws, s)
	}
	for _, b := range []string{"app-data", "static-assets", "backups", "athena-results"} {
		a.buckets = append(a.buckets, "acme-"+b+"-"+id)
	}
	for _, role := range []string{"deploy", "readonly-audit", "OrganizationAccountAccessRole", "cross-account-backup"} {
		a.roles = append(a.roles, "arn:aws:iam::"+id+":role/"+role)
	}
	for _, name := range regions {
		a.regions = append(a.regions, newRegion(r, a, name))
	}
	return a
}

func newRegion(r *rng, a *awsAccount, name string) *awsRegion {
	reg := &awsRegion{name: name, azID: azID(name), tls12: map[string][]byte{}, tls13: map[string][]byte{}}
	for _, svc := range awsServices {
		host := svc + "." + name + ".amazonaws.com"
		reg.tls12[svc] = tlsDetails("TLSv1.2", "ECDHE-RSA-AES128-GCM-SHA256", host)
		reg.tls13[svc] = tlsDetails("TLSv1.3", "TLS_AES_128_GCM_SHA256", host)
	}
	for i := 0; i < 3; i++ {
		reg.kmsKeys = append(reg.kmsKeys, "arn:aws:kms:"+name+":"+a.id+":key/"+r.uuid())
	}
	reg.eice = "eice-0" + r.str(hexLower, 16)
	roles := []string{"web-InstanceRole-", "batch-InstanceRole-", "NatInstanceRole-", "bastion-InstanceRole-"}
	n := r.between(20, 40)
	for i := 0; i < n; i++ {
		in := &instance{id: "i-0" + r.str(hexLower, 16)}
		in.windows = r.chance(150)
		in.privateIP = "10." + strconv.Itoa(r.intn(4)) + "." + strconv.Itoa(r.between(0, 15)) + "." + strconv.Itoa(r.between(4, 250))
		in.ip = string(appendIPv4(nil, publicIPv4(r)))
		role := pick(r, roles) + r.str(alnum[10:36], 12)
		in.ident = roleSession(r, a.id, role, "/", in.id, idRole)
		in.ident.ip = in.ip
		if in.windows {
			in.ua = agentUAWindows
		} else {
			in.ua = pick(r, agentUAs)
		}
		in.ident.uas = []string{in.ua}
		in.uii = renderUII(r, in, reg)
		reg.instances = append(reg.instances, in)
	}
	return reg
}

// azID turns "us-east-1" into "use1" and "ap-southeast-2" into "apse2".
func azID(region string) string {
	parts := strings.Split(region, "-")
	if len(parts) != 3 {
		return region
	}
	dir := parts[1]
	abbr := map[string]string{"east": "e", "west": "w", "north": "n", "south": "s", "central": "c",
		"northeast": "ne", "northwest": "nw", "southeast": "se", "southwest": "sw"}[dir]
	if abbr == "" {
		abbr = dir[:1]
	}
	return parts[0] + abbr + parts[2]
}

func tlsDetails(version, suite, host string) []byte {
	b := []byte{'{'}
	b = fstr(b, "tlsVersion", version)
	b = fstr(b, "cipherSuite", suite)
	b = fstr(b, "clientProvidedHostHeader", host)
	return append(b, '}')
}

// publicIPv4 draws an address outside the private, loopback and multicast
// ranges.
func publicIPv4(r *rng) uint32 {
	for {
		v := uint32(r.next())
		switch a := v >> 24; {
		case a == 0, a == 10, a == 127, a >= 224, a == 172 && v>>20&0xf == 1, a == 192 && v>>16&0xff == 168, a == 100 && v>>22&3 == 1:
			continue
		}
		return v
	}
}

func iamUser(r *rng, acct, name string) *identity {
	id := &identity{kind: idIAMUser, name: name, arn: "arn:aws:iam::" + acct + ":user/" + name}
	id.ip = string(appendIPv4(nil, publicIPv4(r)))
	id.uas = cliUAs
	id.tls13 = true
	if name == "ci-deploy" {
		id.uas = cliUAs[3:]
	}
	id.json = renderIdentity(id, acct, r)
	return id
}

func roleSession(r *rng, acct, role, path, session string, kind identityKind) *identity {
	id := &identity{kind: kind, name: session, arn: "arn:aws:sts::" + acct + ":assumed-role/" + role + "/" + session}
	id.ip = string(appendIPv4(nil, publicIPv4(r)))
	switch kind {
	case idSSO:
		id.uas = append(append([]string(nil), cliUAs[:2]...), consoleUAs...)
		id.tls13 = true
	default:
		id.uas = serviceUAs
	}
	id.json = renderRoleIdentity(id, acct, role, path, r)
	return id
}

func renderIdentity(id *identity, acct string, r *rng) []byte {
	b := []byte{'{'}
	switch id.kind {
	case idIAMUser:
		b = fstr(b, "type", "IAMUser")
		b = fstr(b, "principalId", "AIDA"+r.str(upperNum, 17))
		b = fstr(b, "arn", id.arn)
		b = fstr(b, "accountId", acct)
		b = fstr(b, "accessKeyId", "AKIA"+r.str(upperNum, 16))
		b = fstr(b, "userName", id.name)
	case idService:
		b = fstr(b, "type", "AWSService")
		b = fstr(b, "invokedBy", id.invoked)
	default:
		panic("BUG: renderIdentity called for a role session")
	}
	return append(b, '}')
}

func renderRoleIdentity(id *identity, acct, role, path string, r *rng) []byte {
	roleID := "AROA" + r.str(upperNum, 17)
	b := []byte{'{'}
	b = fstr(b, "type", "AssumedRole")
	b = fstr(b, "principalId", roleID+":"+id.name)
	b = fstr(b, "arn", id.arn)
	b = fstr(b, "accountId", acct)
	b = fstr(b, "accessKeyId", "ASIA"+r.str(upperNum, 16))
	b = fobj(b, "sessionContext")
	b = fobj(b, "sessionIssuer")
	b = fstr(b, "type", "Role")
	b = fstr(b, "principalId", roleID)
	b = fstr(b, "arn", "arn:aws:iam::"+acct+":role"+path+role)
	b = fstr(b, "accountId", acct)
	b = fstr(b, "userName", role)
	b = append(b, '}')
	if !strings.HasPrefix(id.name, "i-") {
		b = append(fobj(b, "webIdFederationData"), '}')
	}
	b = fobj(b, "attributes")
	// A fixed creation date keeps the fragment shared; real sessions
	// rotate, which no detection depends on.
	b = fstr(b, "creationDate", "2024-01-01T00:00:00Z")
	b = fstr(b, "mfaAuthenticated", strconv.FormatBool(id.kind == idSSO))
	b = append(b, '}')
	if strings.HasPrefix(id.name, "i-") {
		b = fstr(b, "ec2RoleDelivery", "2.0")
	}
	b = append(b, '}')
	if id.invoked != "" {
		b = fstr(b, "invokedBy", id.invoked)
	}
	return append(b, '}')
}

func renderUII(r *rng, in *instance, reg *awsRegion) []byte {
	az := reg.name + string(rune('a'+r.intn(3)))
	b := []byte{'{'}
	b = fstr(b, "instanceId", in.id)
	b = fstr(b, "agentVersion", pick(r, []string{"3.2.1705.0", "3.3.40.0", "3.3.131.0", "3.3.551.0"}))
	b = fstr(b, "agentStatus", "Active")
	if in.windows {
		b = fstr(b, "platformType", "Windows")
		b = fstr(b, "platformName", "Microsoft Windows Server 2022 Datacenter")
		b = fstr(b, "platformVersion", "10.0.20348")
	} else {
		b = fstr(b, "platformType", "Linux")
		switch r.intn(3) {
		case 0:
			b = fstr(b, "platformName", "Ubuntu")
			b = fstr(b, "platformVersion", "22.04")
		default:
			b = fstr(b, "platformName", "Amazon Linux")
			b = fstr(b, "platformVersion", "2023")
		}
	}
	b = fstr(b, "iPAddress", "HIDDEN_DUE_TO_SECURITY_REASONS")
	if in.windows {
		b = fstr(b, "computerName", "EC2AMAZ-"+r.str(upperNum, 7)+".WORKGROUP")
	} else {
		b = fstr(b, "computerName", "ip-"+strings.ReplaceAll(in.privateIP, ".", "-")+"."+reg.name+".compute.internal")
	}
	b = fstr(b, "agentName", "amazon-ssm-agent")
	b = fstr(b, "availabilityZone", az)
	b = fstr(b, "availabilityZoneId", reg.azID+"-az"+string(rune('1'+az[len(az)-1]-'a')))
	b = fstr(b, "sSMConnectionChannel", "ssmmessages")
	return append(b, '}')
}

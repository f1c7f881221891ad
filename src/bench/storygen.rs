//! Synthetic *story* benchmark: paraphrased retellings of the same news story, among
//! same-topic stories that must be kept apart.
//!
//! Each story has an identity (people, places, an organisation, specific numbers, a few
//! uncommon event words and a quotation) and belongs to a topic whose vocabulary it shares
//! with every other story of that topic; some topics' famous people recur across stories.
//! Each *telling* of a story (one article at one outlet) is written independently from
//! sentence templates filled with real English words, the topic's words and the story's
//! identity, so tellings share names, numbers and rare words but little verbatim text. Every
//! random choice comes from [`SplitMix64`] seeded by the caller: the same parameters give
//! byte-identical output. Not part of the scan pipeline.

use std::collections::VecDeque;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::error::Result;
use crate::sketch::minhash::SplitMix64;
use crate::output::report::write_atomic;

/// What to generate.
#[derive(Debug, Clone)]
pub struct StoryGenParams {
    /// Distinct news stories.
    pub stories: usize,
    /// Fewest and most outlets retelling each story (inclusive).
    pub tellings_per_story: (usize, usize),
    /// Topics the stories are spread over (topic vocabularies repeat beyond the built-in 12).
    pub topics: usize,
    /// Seed of every random choice.
    pub seed: u64,
    /// Days the stories' first tellings are spread over.
    pub days: usize,
    /// Share of stories followed, [`FOLLOW_UP_DAYS`] later, by a *follow-up*: a new event
    /// with the same people, organisation and place (a missed bail deadline after an on-stage
    /// fight), its own story.
    pub follow_up_share: f64,
    /// Share of stories whose main person is in the news again [`SEQUEL_DAYS`] later in a
    /// different event (an athlete's next win), its own story.
    pub sequel_share: f64,
    /// Share of tellings republished by one to three other outlets as copies (a copy
    /// cluster inside the story).
    pub copy_share: f64,
    /// Real word frequencies for background sentences (none without it).
    pub vocabulary: Option<std::sync::Arc<Vocabulary>>,
}

/// Days the stories of the benchmark are spread over by default: 17 weeks, as in the benchmark
/// of real news text the story level is judged on, so that same-topic stories fall in the
/// same weeks.
pub const DEFAULT_DAYS: usize = 119;
/// Days after its story that a follow-up's first telling appears: the next development of
/// one event, within a fortnight.
pub const FOLLOW_UP_DAYS: (usize, usize) = (2, 10);
/// Days after its story that a sequel (the same person in another event) appears.
pub const SEQUEL_DAYS: (usize, usize) = (14, 56);

impl Default for StoryGenParams {
    fn default() -> Self {
        StoryGenParams {
            stories: 300,
            tellings_per_story: (2, 6),
            topics: 12,
            seed: 1,
            days: DEFAULT_DAYS,
            follow_up_share: 0.25,
            sequel_share: 0.15,
            copy_share: 0.2,
            vocabulary: None,
        }
    }
}

/// Words with their frequencies in real text, for background sentences drawn with those
/// frequencies (a Zipf curve, as in real news): the mid-frequency words that two unrelated
/// articles share by chance.
#[derive(Debug)]
pub struct Vocabulary {
    words: Vec<String>,
    /// Running totals of the counts, for sampling.
    cumulative: Vec<u64>,
}

/// Words kept in a [`Vocabulary`] at most (the commonest).
const VOCABULARY_WORDS: usize = 50_000;

impl Vocabulary {
    /// The alphabetic words (two letters or more, lowercased) of these texts with their counts.
    pub fn from_texts<'a>(texts: impl IntoIterator<Item = &'a str>) -> Option<Vocabulary> {
        let mut counts: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
        for t in texts {
            for w in t.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| w.len() >= 2) {
                *counts.entry(w.to_ascii_lowercase()).or_default() += 1;
            }
        }
        let mut ranked: Vec<(String, u64)> = counts.into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        ranked.truncate(VOCABULARY_WORDS);
        let mut total = 0;
        let cumulative = ranked.iter().map(|(_, c)| {
            total += c;
            total
        }).collect();
        (!ranked.is_empty()).then(|| Vocabulary { words: ranked.into_iter().map(|(w, _)| w).collect(), cumulative })
    }

    fn sample(&self, rng: &mut Rng) -> &str {
        let total = *self.cumulative.last().expect("a vocabulary has words");
        let r = ((rng.0.next_u64() as u128 * total as u128) >> 64) as u64;
        &self.words[self.cumulative.partition_point(|&c| c <= r)]
    }
}

/// One generated article (a telling of a story) with its ground truth.
#[derive(Debug, Clone, Serialize)]
pub struct StoryDoc {
    /// Unique id (documents are numbered in publication order).
    pub id: String,
    /// Outlet name.
    pub outlet: String,
    /// Publication time, RFC 3339 with hour (`2024-03-05T14:00:00Z`).
    pub date: String,
    /// Headline, worded per telling.
    pub title: String,
    /// Article text: paragraphs separated by blank lines.
    pub text: String,
    /// Ground-truth story id.
    pub story: u32,
    /// Ground-truth topic id.
    pub topic: u32,
    /// Copy group: the telling this article republishes and its copies share one (`None` for
    /// a telling nobody copied).
    pub cluster: Option<u32>,
    /// The story this one follows up (`None` unless it is a follow-up).
    pub follows: Option<u32>,
}

// ---------------------------------------------------------------------------------------
// Word lists.

const FIRST_NAMES: &[&str] = &[
    "Ana", "Marco", "Elena", "David", "Sofia", "Lukas", "Amara", "Hiroshi", "Fatima", "Olga", "Pedro", "Nadia",
    "James", "Priya", "Tomasz", "Leila", "Kwame", "Ingrid", "Rafael", "Mei", "Yusuf", "Clara", "Dmitri", "Aisha",
    "Jonas", "Camille", "Ravi", "Helena", "Samuel", "Yara", "Mateo", "Zofia", "Ibrahim", "Greta", "Daniel", "Lucia",
    "Omar", "Hannah", "Viktor", "Chiara", "Kenji", "Amelia", "Tariq", "Marta", "Oleksandr", "Rosa", "Emeka", "Julia",
    "Andrei", "Noor", "Felipe", "Sarah", "Minh", "Katarina", "Arjun", "Lena", "Gabriel", "Ruth", "Hassan", "Isabel",
];

const SURNAMES: &[&str] = &[
    "Silva", "Rossi", "Novak", "Haddad", "Kowalski", "Okafor", "Tanaka", "Moreau", "Petrov", "Garcia", "Mensah", "Lindqvist",
    "Brennan", "Sharma", "Nguyen", "Schmidt", "Costa", "Mahmoud", "Fischer", "Kaur", "Dubois", "Yilmaz", "Horvat", "Adeyemi",
    "Larsen", "Castillo", "Weber", "Romero", "Kovacs", "Osei", "Bauer", "Ibrahim", "Jensen", "Marin", "Popescu", "Ahmed",
    "Walsh", "Reyes", "Takahashi", "Becker", "Suarez", "Hoffman", "Mwangi", "Greco", "Sato", "Rahman", "Lopez", "Varga",
    "Kim", "Park", "Chen", "Wang", "Ortiz", "Nieminen", "Halloran", "Carvalho", "Ferrante", "Demir", "Nowak", "Hughes",
    "Bakker", "Van Dijk", "Shevchenko", "Bondarenko", "Abdullah", "Farouk", "Delgado", "Mendes", "Ward", "Holm",
    "Eriksen", "Koh", "Tran", "Murphy", "Achebe", "Banda", "Moyo", "Patel", "Iyer", "Morales",
];

const PLACES: &[&str] = &[
    "Kyiv", "Gaza", "Taipei", "Hanoi", "Warsaw", "Nairobi", "Lagos", "Jakarta", "Manila", "Seoul", "Ankara", "Istanbul",
    "Cairo", "Riyadh", "Doha", "Dubai", "Tehran", "Baghdad", "Beirut", "Moscow", "Berlin", "Paris", "Madrid", "Lisbon",
    "Rome", "Athens", "Vienna", "Prague", "Budapest", "Bucharest", "Brussels", "Amsterdam", "Stockholm", "Oslo", "Helsinki",
    "Dublin", "London", "Ottawa", "Toronto", "Washington", "Chicago", "Houston", "Mexico City", "Bogota", "Lima", "Santiago",
    "Buenos Aires", "Sao Paulo", "Johannesburg", "Addis Ababa", "Khartoum", "Islamabad", "New Delhi", "Mumbai", "Dhaka",
    "Bangkok", "Singapore", "Tokyo", "Beijing", "Canberra", "Kharkiv", "Odesa", "Tbilisi", "Yerevan",
];

const ORG_PREFIXES: &[&str] = &[
    "Atlas", "Meridian", "Northgate", "Bluewater", "Redwood", "Summit", "Harbor", "Crescent", "Pinnacle", "Silverline",
    "Keystone", "Ironbridge", "Clearview", "Evergreen", "Horizon", "Lakeshore", "Oakridge", "Granite", "Beacon",
    "Sterling", "Cobalt", "Vantage", "Northwind", "Southport", "Highland", "Riverside", "Aurora", "Falcon", "Polaris",
    "Westbrook",
];

/// Uncommon event words: each story draws 2-3 of them.
const RARE: &[&str] = &[
    "sanctions", "ceasefire", "tariff", "indictment", "merger", "evacuation", "referendum", "embargo", "bailout",
    "blockade", "moratorium", "subpoena", "impeachment", "recall", "lockout", "boycott", "walkout", "audit", "injunction",
    "acquittal", "extradition", "annexation", "mobilisation", "airstrike", "offensive", "truce", "armistice", "default",
    "downgrade", "takeover", "buyout", "layoffs", "shutdown", "blackout", "outage", "cyberattack", "breach", "heatwave",
    "drought", "wildfire", "flooding", "landslide", "earthquake", "outbreak", "quarantine", "lawsuit", "settlement",
    "verdict", "pardon", "resignation", "reshuffle", "runoff", "recount", "filibuster", "veto", "amendment", "subsidy",
    "levy", "quota", "windfall", "devaluation", "stimulus", "austerity", "privatisation", "nationalisation", "antitrust",
    "cartel", "bankruptcy", "insolvency", "delisting", "buyback", "recession", "stagflation", "hijacking", "hostage",
    "crackdown", "curfew", "uprising", "coup", "derailment", "collision", "grounding", "eviction", "rezoning",
    "foreclosure", "doping", "whistleblower", "espionage", "smuggling", "leak", "ransomware",
];

const NOUNS: &[&str] = &[
    "plan", "deal", "proposal", "agreement", "decision", "review", "package", "measure", "policy", "report", "programme",
    "process", "dispute", "effort", "strategy", "framework", "investigation", "bill", "budget", "vote", "deadline",
    "crisis", "debate", "tender", "overhaul", "reform", "scheme", "initiative", "response", "outlook", "project",
    "system", "market", "sector", "industry", "situation", "question", "issue", "risk", "pressure", "agenda", "timetable",
];

const ADJS: &[&str] = &[
    "new", "major", "key", "fresh", "long-awaited", "controversial", "sweeping", "modest", "unexpected", "significant",
    "early", "final", "formal", "wider", "latest", "planned", "proposed", "temporary", "broader", "ambitious", "bitter",
    "costly", "urgent", "lengthy", "difficult", "historic", "limited", "joint", "national", "regional", "global", "local",
    "official", "public", "private", "fragile", "tense", "growing", "rising", "surprise",
];

const VPAST: &[&str] = &[
    "announced", "approved", "rejected", "backed", "criticised", "defended", "delayed", "proposed", "unveiled", "signed",
    "blocked", "welcomed", "questioned", "endorsed", "challenged", "postponed", "confirmed", "outlined", "extended",
    "suspended", "revived", "scrapped", "accelerated", "reviewed", "condemned", "praised",
];

const VBASE: &[&str] = &[
    "affect", "delay", "reshape", "strengthen", "weaken", "complicate", "ease", "boost", "threaten", "undermine",
    "support", "test", "change", "raise", "lower", "protect", "disrupt", "limit", "expand", "transform", "hurt", "help",
];

const VPERF: &[&str] = &[
    "risen", "fallen", "grown", "slowed", "surged", "dropped", "stalled", "recovered", "weakened", "improved", "shifted",
];

const GROUPS: &[&str] = &[
    "officials", "analysts", "diplomats", "lawmakers", "critics", "residents", "investors", "economists", "experts",
    "observers", "people familiar with the matter", "government sources", "industry groups", "opposition politicians",
    "union leaders", "regulators", "campaigners", "local leaders", "senior officials", "independent analysts",
];

const WHEN: &[&str] = &[
    "on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday", "on Saturday", "on Sunday", "this week",
    "last week", "earlier this month", "late on Friday", "on Tuesday evening", "overnight", "over the weekend",
    "in recent days", "early on Thursday", "on Monday morning", "yesterday",
];

const SAY_THAT: &[&str] = &[
    "said", "told reporters", "said in a statement", "told a news conference", "said in an interview", "told lawmakers",
    "argued", "insisted", "noted", "warned", "acknowledged", "suggested", "wrote on social media",
];

const SAY_END: &[&str] = &["said", "added", "told reporters", "said in a statement", "noted", "told local media", "said later"];

const CONNECTORS: &[&str] = &[
    "However, ", "Meanwhile, ", "Still, ", "In addition, ", "At the same time, ", "Separately, ", "By contrast, ",
    "Even so, ", "For now, ", "Earlier, ",
];

const OUTLETS: &[&str] = &[
    "daily-courier", "morning-ledger", "the-sentinel", "metro-herald", "global-dispatch", "evening-standard-post",
    "capital-times", "northern-echo-news", "city-observer", "the-chronicle", "world-report", "national-tribune",
    "pacific-review", "atlantic-wire", "harbor-gazette", "the-examiner", "news-today", "the-monitor", "union-journal",
    "central-press", "coastal-news", "the-record", "frontline-media", "the-bulletin", "independent-voice", "market-watchers",
    "the-globe-daily", "lakeside-post", "summit-news", "continental-times",
];

const MONTHS: &[(&str, usize)] = &[
    ("January", 31), ("February", 29), ("March", 31), ("April", 30), ("May", 31), ("June", 30), ("July", 31),
    ("August", 31), ("September", 30), ("October", 31), ("November", 30), ("December", 31),
];

struct Topic {
    /// Shared vocabulary: nouns usable alone and as modifiers.
    words: &'static [&'static str],
    /// Roles of recurring figures (famous people of the topic).
    leaders: [&'static str; 3],
    /// Roles of a story's people.
    roles: &'static [&'static str],
    /// Second words of organisation names.
    orgs: &'static [&'static str],
    /// Units of counted numbers.
    units: &'static [&'static str],
}

const TOPICS: &[Topic] = &[
    Topic { // energy and oil
        words: &["oil", "gas", "crude", "pipeline", "refinery", "fuel", "barrels", "OPEC", "output", "production", "exports",
            "drilling", "reserves", "grid", "electricity", "power", "nuclear", "reactor", "coal", "LNG", "tanker", "supply",
            "prices", "shale", "wells", "utilities", "diesel", "petrol", "bills", "storage", "offshore", "turbines", "solar",
            "wind", "renewables", "capacity", "demand", "stockpiles", "producers", "energy"],
        leaders: ["President", "Energy Minister", "OPEC Secretary-General"],
        roles: &["energy minister", "oil executive", "chief executive", "energy analyst", "grid operator chief", "deputy minister"],
        orgs: &["Energy", "Petroleum", "Power", "Resources"],
        units: &["barrels a day", "households", "workers"],
    },
    Topic { // elections
        words: &["election", "vote", "voters", "ballot", "ballots", "polls", "candidate", "candidates", "campaign", "party",
            "parliament", "seats", "majority", "opposition", "turnout", "constituency", "primary", "incumbent", "electorate",
            "polling", "manifesto", "debate", "rally", "lawmakers", "legislature", "mandate", "district", "precinct",
            "victory", "defeat", "race", "nominee", "endorsement", "senate", "governor", "mayor", "council", "delegates",
            "coalition", "electoral"],
        leaders: ["President", "Prime Minister", "Opposition Leader"],
        roles: &["candidate", "party leader", "campaign manager", "election official", "senator", "pollster"],
        orgs: &["Electoral Commission", "Alliance", "Institute", "Movement"],
        units: &["voters", "ballots", "polling stations"],
    },
    Topic { // central banks and inflation
        words: &["inflation", "rates", "interest", "bank", "economy", "growth", "prices", "bond", "bonds", "yields",
            "currency", "dollar", "euro", "markets", "investors", "lending", "credit", "mortgage", "policy", "monetary",
            "hike", "borrowing", "debt", "deficit", "wages", "unemployment", "jobs", "consumer", "spending", "savings",
            "liquidity", "reserves", "treasury", "forecast", "outlook", "data", "index", "economists", "banks", "tightening"],
        leaders: ["Central Bank Governor", "Finance Minister", "Treasury Secretary"],
        roles: &["central bank governor", "chief economist", "finance minister", "rate-setter", "fund manager", "deputy governor"],
        orgs: &["Bank", "Capital", "Financial", "Securities"],
        units: &["jobs", "borrowers", "households"],
    },
    Topic { // wars and diplomacy
        words: &["troops", "forces", "military", "army", "front", "border", "talks", "diplomats", "envoy", "embassy",
            "summit", "peace", "conflict", "war", "shelling", "missiles", "drones", "artillery", "attack", "defence",
            "security", "allies", "NATO", "negotiations", "territory", "soldiers", "civilians", "refugees", "aid", "weapons",
            "frontline", "invasion", "regime", "foreign", "ministry", "strikes", "air", "ground", "resolution", "convoy"],
        leaders: ["President", "Foreign Minister", "UN Secretary-General"],
        roles: &["foreign minister", "defence minister", "military spokesperson", "peace envoy", "commander", "ambassador"],
        orgs: &["Defence Council", "Relief Agency", "Security Forum", "Mission"],
        units: &["civilians", "troops", "refugees"],
    },
    Topic { // technology and AI
        words: &["AI", "artificial", "intelligence", "software", "chips", "semiconductors", "data", "cloud", "startup",
            "platform", "users", "app", "algorithm", "models", "computing", "servers", "developers", "privacy", "digital",
            "online", "internet", "smartphone", "devices", "network", "tech", "engineers", "investment", "innovation",
            "automation", "chatbot", "processors", "code", "regulation", "content", "social", "media", "search",
            "encryption", "hardware", "subscribers"],
        leaders: ["Tech Secretary", "Digital Commissioner", "Chief Executive"],
        roles: &["chief executive", "founder", "chief technology officer", "engineer", "tech analyst", "regulator"],
        orgs: &["Labs", "Systems", "Technologies", "Digital"],
        units: &["users", "employees", "accounts"],
    },
    Topic { // climate
        words: &["climate", "emissions", "carbon", "warming", "temperatures", "fossil", "fuels", "renewable", "targets",
            "net-zero", "pollution", "environment", "forests", "deforestation", "species", "biodiversity", "glaciers",
            "sea", "levels", "coastline", "rainfall", "weather", "storms", "adaptation", "finance", "pledges", "COP",
            "methane", "coal", "green", "transition", "ecosystems", "scientists", "heat", "water", "ocean", "ice",
            "agriculture", "crops", "habitat"],
        leaders: ["Climate Envoy", "Environment Minister", "UN Climate Chief"],
        roles: &["climate scientist", "environment minister", "activist", "negotiator", "researcher", "mayor"],
        orgs: &["Climate Fund", "Environmental Trust", "Institute", "Foundation"],
        units: &["hectares", "residents", "tonnes of carbon"],
    },
    Topic { // health
        words: &["health", "hospital", "hospitals", "patients", "doctors", "nurses", "virus", "cases", "infections",
            "disease", "treatment", "drug", "drugs", "medicine", "vaccination", "clinical", "trial", "trials", "care",
            "waiting", "lists", "staff", "funding", "surgery", "pharmacy", "pharmaceutical", "cancer", "mental", "illness",
            "symptoms", "diagnosis", "public", "WHO", "epidemic", "beds", "emergency", "ambulance", "insurance",
            "prescriptions", "research"],
        leaders: ["Health Minister", "WHO Director-General", "Chief Medical Officer"],
        roles: &["health minister", "doctor", "epidemiologist", "hospital director", "nurse", "researcher"],
        orgs: &["Health", "Pharma", "Medical Centre", "Clinic"],
        units: &["patients", "cases", "doctors"],
    },
    Topic { // sports
        words: &["match", "season", "league", "club", "coach", "players", "team", "final", "championship", "tournament",
            "goal", "goals", "striker", "fans", "stadium", "victory", "defeat", "title", "cup", "squad", "captain",
            "injury", "contract", "manager", "referee", "Olympics", "athletes", "medal", "race", "record", "game", "win",
            "points", "table", "playoffs", "sponsors", "broadcast", "federation", "midfielder", "goalkeeper"],
        leaders: ["FIFA President", "Sports Minister", "League Commissioner"],
        roles: &["coach", "striker", "captain", "club president", "sprinter", "manager"],
        orgs: &["United", "Athletic", "Rovers", "City"],
        units: &["fans", "spectators", "players"],
    },
    Topic { // trade
        words: &["trade", "exports", "imports", "customs", "goods", "shipping", "containers", "ports", "supply", "chains",
            "manufacturers", "factories", "steel", "aluminium", "farmers", "grain", "soybeans", "deficit", "surplus", "WTO",
            "agreement", "partners", "duties", "market", "access", "negotiators", "commerce", "freight", "cargo",
            "logistics", "textiles", "electronics", "automakers", "components", "suppliers", "demand", "growth", "currency",
            "retaliation", "exporters"],
        leaders: ["Trade Representative", "Commerce Secretary", "WTO Director-General"],
        roles: &["trade minister", "chief negotiator", "exporter", "trade analyst", "customs chief", "commerce secretary"],
        orgs: &["Trading", "Industries", "Logistics", "Exports"],
        units: &["containers", "tonnes of steel", "jobs"],
    },
    Topic { // courts
        words: &["court", "judge", "judges", "trial", "jury", "prosecutors", "lawyers", "defendant", "charges", "case",
            "ruling", "hearing", "evidence", "testimony", "witness", "sentence", "prison", "justice", "attorney", "law",
            "legal", "constitutional", "supreme", "appeals", "plaintiffs", "damages", "fraud", "bribery", "corruption",
            "investigation", "police", "arrest", "detention", "bail", "counsel", "statute", "rights", "petition",
            "tribunal", "docket"],
        leaders: ["Attorney General", "Chief Justice", "Justice Minister"],
        roles: &["judge", "prosecutor", "defence lawyer", "attorney", "former minister", "businessman"],
        orgs: &["Legal", "Partners", "Holdings", "Group"],
        units: &["victims", "witnesses", "documents"],
    },
    Topic { // transport
        words: &["rail", "railway", "trains", "airline", "airlines", "airport", "flights", "passengers", "pilots",
            "aviation", "aircraft", "jet", "buses", "metro", "roads", "highway", "traffic", "motorists", "fares", "tickets",
            "ferry", "port", "trucks", "drivers", "infrastructure", "bridge", "tunnel", "routes", "network", "operators",
            "delays", "cancellations", "schedules", "safety", "crew", "terminal", "runway", "freight", "commuters",
            "carriers"],
        leaders: ["Transport Minister", "Aviation Authority Chief", "Rail Regulator"],
        roles: &["transport minister", "airline chief", "union leader", "rail operator boss", "safety investigator", "pilot"],
        orgs: &["Airways", "Rail", "Transit", "Air"],
        units: &["passengers", "flights", "commuters"],
    },
    Topic { // housing
        words: &["housing", "homes", "house", "prices", "rents", "rent", "tenants", "landlords", "mortgages", "buyers",
            "sellers", "construction", "developers", "builders", "property", "apartments", "flats", "affordability",
            "planning", "permits", "land", "councils", "homelessness", "shelter", "market", "sales", "listings",
            "neighbourhood", "suburbs", "units", "supply", "demand", "deposits", "lenders", "valuations", "zoning",
            "renovation", "estate", "leasehold", "borrowers"],
        leaders: ["Housing Minister", "Mayor", "Planning Secretary"],
        roles: &["housing minister", "developer", "tenant organiser", "estate agent", "council leader", "mortgage broker"],
        orgs: &["Homes", "Properties", "Developments", "Housing Trust"],
        units: &["homes", "tenants", "families"],
    },
];

// ---------------------------------------------------------------------------------------
// Templates. Slots: {per} person, {place}, {org}, {rare} event word, {t} topic word, {n}
// noun, {adj}, {vpast}, {vbase}, {vperf}, {grp} group, {when}, {sayt} "said"-like verb
// taking a clause, {saye} sentence-final "said"-like verb, {v} a number (number frames),
// {sp} the quotation's speaker, {qr} {qp} {qt} the quotation's bound words.

const LEDES: &[&str] = &[
    "{per} {vpast} the {rare} {when}, a move that {grp} said could reshape {t} across {place}.",
    "{place} moved closer to the {rare} {when} after {per} {vpast} a {adj} {t} {n}.",
    "{when_cap}, {per} {vpast} plans linked to the {rare} in {place}, according to {grp}.",
    "The {rare} in {place} took a {adj} turn {when} as {per} {vpast} the {t} {n}.",
    "{per} has {vpast} the {rare}, deepening a {adj} {t} {n} that has gripped {place} for weeks.",
    "Pressure over the {rare} mounted in {place} {when}, with {per} facing questions about {t}.",
    "A {adj} {rare} shook {place} {when}, and {per} moved quickly to {vbase} the {t} {n}.",
    "{grp_cap} in {place} were weighing the {rare} {when} after {per} {vpast} the {t} {n}.",
];

const BODY: &[&str] = &[
    "{per} {sayt} the {rare} would {vbase} the {t} {n} in {place}.",
    "The {rare} comes as {grp} in {place} {vpast} a {adj} {n} on {t}.",
    "According to {grp}, {org} had been preparing for the {rare} for months.",
    "{org} {vpast} the {t} {n} {when}, citing the {rare}.",
    "{per} met officials from {org} in {place} to discuss the {rare}.",
    "{grp_cap} {sayt} {org} was unlikely to {vbase} its {t} {n} before the {rare}.",
    "In {place}, {grp} {vpast} the {rare} as a {adj} step for {t}.",
    "{per} {sayt} {place} could not afford another {adj} {t} {n}.",
    "The {rare} marks the {adj} chapter in a {t} {n} that began in {place}.",
    "{per} and {per} have clashed repeatedly over the {rare}.",
    "A spokesperson for {org} declined to comment on the {rare}.",
    "{org} {saye_lead} the {rare} would not {vbase} its {t} plans.",
    "Critics of the {rare} {sayt} it would {vbase} {t} in {place} for years.",
    "The {rare} and the {rare} have dominated {t} news in {place}.",
    "Talks between {per} and {org} over the {rare} ended without a {n} {when}.",
    "{per}, speaking in {place}, said the {t} {n} was not finished.",
    "It was not clear whether the {rare} would {vbase} the {adj} {n}, {per} {saye}.",
    "People in {place} reacted with anger to the {rare}, local media reported.",
    "{org} said it would {vbase} its {t} operations in {place} after the {rare}.",
    "The {adj} {n} over the {rare} is expected to go before {org} {when}.",
    "{per} called the {rare} {adjq} and urged {grp} to {vbase} the {t} {n}.",
    "Before the {rare}, {place} had relied heavily on {t} and {t}.",
    "{grp_cap} close to {per} said the {rare} had caught them by surprise.",
    "In {place}, demand for {t} has {vperf} sharply since the {rare} was first discussed.",
    "Asked about the {rare}, {per} said only that {org} would {vbase} the {n}.",
    "Documents seen by {grp} suggest {org} knew about the {rare} {when}.",
    "The row over the {rare} has also drawn in {per}.",
];

const FILLER: &[&str] = &[
    "{grp_cap} have long warned that {t} and {t} are closely linked.",
    "The {t} {n} has been a {adj} issue for {grp} for years.",
    "Demand for {t} has {vperf} in recent months, {grp} said.",
    "Many {grp} expect the {adj} {n} to {vbase} {t} over the coming year.",
    "The {n} could also {vbase} the {t} {n}, {grp} {saye}.",
    "The outlook for {t} has {vperf} since the start of the year, figures show.",
    "{grp_cap} said the {adj} {t} {n} had been expected for some time.",
    "Questions remain over how the {n} would {vbase} {t} and {t}.",
    "The {t} {n} is likely to remain a {adj} concern for {grp}.",
    "Several {grp} said they were still studying the {n}.",
    "Some {grp} have called for a {adj} review of {t}.",
    "Longer term, the {n} may {vbase} the {t} {n} more than anything else.",
    "The future of {t} remains a {adj} question for {grp} and {grp} alike.",
    "There was no immediate reaction from {grp}.",
];

/// Number frames by kind: money, percent, count, date.
const NUM_FRAMES: [&[&str]; 4] = [
    &[
        "The {n} is worth {v}, according to {grp}.",
        "{per} put the cost at {v}.",
        "About {v} has been set aside for the {t} {n}.",
        "{grp_cap} estimated the bill at roughly {v}.",
        "The {rare} could cost {org} as much as {v}.",
        "{v} is at stake, {grp} {saye}.",
    ],
    &[
        "Spending on {t} fell by {v} after the {rare}, {grp} said.",
        "Support for the {n} stood at {v}, a recent survey showed.",
        "That would amount to a cut of {v}, {grp} {saye}.",
        "The share rose {v} over the past year.",
        "{per} said demand for {t} had {vperf} by {v}.",
        "Figures released {when} showed a change of {v}.",
    ],
    &[
        "At least {v} are affected, {grp} said.",
        "The {rare} could affect some {v}, according to {org}.",
        "{grp_cap} estimate that {v} have already been hit.",
        "Around {v} were caught up in the {rare}, {per} {saye}.",
        "{per} said {v} would be affected in {place} alone.",
    ],
    &[
        "A deadline has been set for {v}.",
        "{per} is expected to respond by {v}.",
        "The {rare} is due to take effect on {v}.",
        "A hearing on the {n} is scheduled for {v}.",
        "{grp_cap} said the {n} would be reviewed on {v}.",
    ],
];

/// Quotations (verbatim form) with paraphrases of the same statement.
const QUOTES: &[(&str, &[&str])] = &[
    ("We will not accept any {qr} that puts {qp} at risk", &[
        "{sp} said the government would reject any {qr} that endangered {qp}",
        "{sp} vowed to oppose the {qr} if it threatened {qp}",
        "{sp} made clear that a {qr} harming {qp} was unacceptable"]),
    ("This {qr} is a turning point for {qt} in {qp}, and everyone knows it", &[
        "{sp} described the {qr} as a watershed moment for {qt} in {qp}",
        "{sp} called the {qr} a decisive shift for the {qt} sector in {qp}"]),
    ("Nobody should pretend the {qr} came out of nowhere", &[
        "{sp} argued that the {qr} had been building for months",
        "{sp} rejected suggestions that the {qr} was a surprise"]),
    ("We have been clear from the start that {qt} must come first", &[
        "{sp} insisted that {qt} had always been the priority",
        "{sp} repeated that {qt} took precedence over other concerns"]),
    ("People in {qp} deserve answers, and they deserve them now", &[
        "{sp} demanded swift explanations for residents of {qp}",
        "{sp} called for immediate answers for those living in {qp}"]),
    ("The {qr} buys us time, but it does not solve the problem", &[
        "{sp} cautioned that the {qr} was only a temporary fix",
        "{sp} said the {qr} offered breathing room rather than a solution"]),
    ("I think we are closer to a deal on {qt} than at any point this year", &[
        "{sp} suggested an agreement on {qt} was nearer than it had been in months",
        "{sp} sounded upbeat about the prospects for a {qt} deal"]),
    ("There is no plan B if the {qr} fails", &[
        "{sp} acknowledged there was no fallback should the {qr} collapse",
        "{sp} conceded that officials had no alternative if the {qr} did not work"]),
    ("Our priority is to protect families and keep {qt} affordable", &[
        "{sp} said shielding households and containing {qt} costs was the main goal",
        "{sp} stressed that households came first and {qt} had to stay within reach"]),
    ("We are watching the situation in {qp} very closely", &[
        "{sp} said officials were monitoring developments in {qp}",
        "{sp} indicated that events in {qp} were being followed carefully"]),
    ("Anyone who uses the {qr} as an excuse will face the consequences", &[
        "{sp} warned that those exploiting the {qr} would be held to account",
        "{sp} promised penalties for anyone hiding behind the {qr}"]),
    ("The numbers on {qt} speak for themselves, and they are not good", &[
        "{sp} said the {qt} figures painted a bleak picture",
        "{sp} described the latest {qt} data as clearly worrying"]),
];

const QUOTE_FRAMES: &[&str] = &["\"{q},\" {sp} said.", "\"{q},\" said {sp}.", "{sp} said: \"{q}.\"", "\"{q},\" {sp} told reporters."];

const TITLES: &[&str] = &[
    "{Last} {tv} {rare} amid {t} {n}",
    "{place} {rare} {tvi} as {grp} {tvp}",
    "{org} faces {rare} over {t}",
    "{Rare} looms for {place} after {adj} {t} {n}",
    "What the {place} {rare} means for {t}",
    "{Num} {rare} shakes up {place} {t}",
    "{place}: {Last} {tv} {rare}",
    "{Rare} in {place} puts {t} {n} in doubt",
    "{Last} under pressure as {rare} hits {place}",
    "{org} and {place} in {rare} standoff",
    "{Rare} fears grow in {place} as {t} {n} {tvi}",
    "Explainer: the {rare} and {org}",
];
const TITLE_VERBS: &[&str] = &["backs", "rejects", "defends", "warns of", "pushes for", "signals", "weighs", "unveils", "slams"];
const TITLE_INTR_PLURAL: &[&str] = &["scramble", "push back", "weigh options", "sound the alarm", "hold out", "dig in"];
const TITLE_INTR: &[&str] = &["stalls", "deepens", "escalates", "widens", "looms", "falters", "spreads", "drags on"];
const QUOTE_ADJS: &[&str] = &["unacceptable", "overdue", "reckless", "necessary", "premature", "a mistake", "a wake-up call"];

// ---------------------------------------------------------------------------------------
// Generation.

struct Rng(SplitMix64);

impl Rng {
    fn unit(&mut self) -> f64 {
        (self.0.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn below(&mut self, n: usize) -> usize {
        (((self.0.next_u64() >> 32) * n as u64) >> 32) as usize
    }
    /// A number from `lo` to `hi`, both included.
    fn within(&mut self, (lo, hi): (usize, usize)) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
    fn word(&mut self, xs: &[&'static str]) -> &'static str {
        xs[self.below(xs.len())]
    }
    fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
    fn shuffle<T>(&mut self, xs: &mut [T]) {
        for i in (1..xs.len()).rev() {
            xs.swap(i, self.below(i + 1));
        }
    }
    /// `k` distinct indices below `n`.
    fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (0..n).collect();
        self.shuffle(&mut v);
        v.truncate(k.min(n));
        v
    }
}

#[derive(Debug, Clone)]
struct Person {
    first: String,
    last: String,
    role: String,
}

/// A story's identity.
#[derive(Debug, Clone)]
struct Story {
    topic: usize,
    persons: Vec<Person>,
    places: Vec<&'static str>,
    org: Option<String>,
    /// (kind, rendered) with kind 0 money, 1 percent, 2 count, 3 date.
    numbers: Vec<(usize, String)>,
    rare: Vec<&'static str>,
    quote: usize,
    /// Words bound into the quotation: rare word, place, topic word.
    q: (&'static str, &'static str, &'static str),
    /// First hour of the story in the year.
    hour: usize,
    /// The story this one follows up.
    follows: Option<usize>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Item {
    Person(usize),
    Place(usize),
    Org,
    Num(usize),
    Rare(usize),
}

/// State of one telling being written.
struct Telling<'a> {
    story: &'a Story,
    topic: &'a Topic,
    persons: Vec<usize>,
    places: Vec<usize>,
    has_org: bool,
    nums: Vec<usize>,
    introduced: Vec<bool>,
    /// What the telling calls the institution when it does not name the organisation.
    fallback_org: &'static str,
    /// People named in the sentence being written.
    in_sentence: Vec<usize>,
    /// Body and filler templates used so far (not repeated within a telling).
    used_templates: Vec<&'static str>,
    queue: VecDeque<Item>,
}

impl Telling<'_> {
    /// Takes the first unmentioned item matching `f` from the queue.
    fn take(&mut self, f: impl Fn(Item) -> bool) -> Option<Item> {
        let i = self.queue.iter().position(|&x| f(x))?;
        self.queue.remove(i)
    }

    /// A template from `list` not yet used in this telling (when one is found quickly) and
    /// naming no more people than the telling has.
    fn template(&mut self, list: &[&'static str], rng: &mut Rng) -> &'static str {
        let mut t = rng.word(list);
        for _ in 0..8 {
            if !self.used_templates.contains(&t) && t.matches("{per}").count() <= self.persons.len() {
                break;
            }
            t = rng.word(list);
        }
        self.used_templates.push(t);
        t
    }

    fn person(&mut self, rng: &mut Rng, i: usize) -> String {
        let p = &self.story.persons[i];
        self.queue.retain(|&x| x != Item::Person(i));
        if !self.introduced[i] {
            self.introduced[i] = true;
            return match rng.below(3) {
                0 => format!("{} {} {}", title_case(&p.role), p.first, p.last),
                1 => format!("{} {} {}", p.role, p.first, p.last),
                _ => format!("{} {}", p.first, p.last),
            };
        }
        if rng.chance(0.8) { p.last.clone() } else { format!("{} {}", p.first, p.last) }
    }

    fn slot(&mut self, name: &str, rng: &mut Rng) -> String {
        let t = self.topic;
        match name {
            "per" => {
                let i = match self.take(|x| matches!(x, Item::Person(_))) {
                    Some(Item::Person(i)) => i,
                    _ => {
                        let free: Vec<usize> = self.persons.iter().copied().filter(|i| !self.in_sentence.contains(i)).collect();
                        *rng.pick(if free.is_empty() { &self.persons } else { &free })
                    }
                };
                self.in_sentence.push(i);
                self.person(rng, i)
            }
            "sp" => self.person(rng, self.persons[0]),
            "Last" => self.story.persons[self.persons[0]].last.clone(),
            "place" => {
                let i = match self.take(|x| matches!(x, Item::Place(_))) {
                    Some(Item::Place(i)) => i,
                    _ => *rng.pick(&self.places),
                };
                self.story.places[i].to_string()
            }
            "org" => {
                self.queue.retain(|&x| x != Item::Org);
                match (&self.story.org, self.has_org) {
                    (Some(o), true) => o.clone(),
                    _ => self.fallback_org.to_string(),
                }
            }
            "rare" | "Rare" => {
                let w = match self.take(|x| matches!(x, Item::Rare(_))) {
                    Some(Item::Rare(i)) => self.story.rare[i],
                    _ => *rng.pick(&self.story.rare),
                };
                if name == "Rare" { capitalise(w) } else { w.to_string() }
            }
            "Num" => {
                let counted: Vec<usize> = self.nums.iter().copied().filter(|&i| self.story.numbers[i].0 < 3).collect();
                if counted.is_empty() { "New".to_string() } else { capitalise(&self.story.numbers[*rng.pick(&counted)].1) }
            }
            "t" => topic_word(t, rng).to_string(),
            "t_cap" => capitalise(topic_word(t, rng)),
            "n" => rng.word(NOUNS).to_string(),
            "adj" => rng.word(ADJS).to_string(),
            "adjq" => rng.word(QUOTE_ADJS).to_string(),
            "vpast" => rng.word(VPAST).to_string(),
            "vbase" => rng.word(VBASE).to_string(),
            "vperf" => rng.word(VPERF).to_string(),
            "grp" => rng.word(GROUPS).to_string(),
            "grp_cap" => capitalise(rng.word(GROUPS)),
            "when" => rng.word(WHEN).to_string(),
            "when_cap" => capitalise(rng.word(WHEN)),
            "sayt" => format!("{} that", rng.word(SAY_THAT)).replace("said that", if rng.chance(0.5) { "said" } else { "said that" }),
            "saye" | "saye_lead" => rng.word(SAY_END).to_string(),
            "tv" => rng.word(TITLE_VERBS).to_string(),
            "tvi" => rng.word(TITLE_INTR).to_string(),
            "tvp" => rng.word(TITLE_INTR_PLURAL).to_string(),
            "qr" => self.story.q.0.to_string(),
            "qp" => self.story.q.1.to_string(),
            "qt" => self.story.q.2.to_string(),
            other => panic!("unknown template slot {other}"),
        }
    }

    fn fill(&mut self, template: &str, rng: &mut Rng, extra: &[(&str, &str)]) -> String {
        self.in_sentence.clear();
        let mut out = String::with_capacity(template.len() + 40);
        let mut rest = template;
        let mut used: Vec<String> = Vec::new();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = open + rest[open..].find('}').expect("closed slot");
            let name = &rest[open + 1..close];
            match extra.iter().find(|(k, _)| *k == name) {
                Some((_, v)) => out.push_str(v),
                None => {
                    // Two slots of one kind in a sentence get different words when they can.
                    let mut v = self.slot(name, rng);
                    for _ in 0..4 {
                        if !used.contains(&v) || !matches!(name, "rare" | "t" | "grp" | "n" | "adj" | "place") {
                            break;
                        }
                        v = self.slot(name, rng);
                    }
                    out.push_str(&v);
                    used.push(v);
                }
            }
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        fix_articles(&capitalise(&out))
    }
}

/// A topic word; the first ten (the topic's core vocabulary) come up most of the time.
fn topic_word(t: &Topic, rng: &mut Rng) -> &'static str {
    if rng.chance(0.6) { rng.word(&t.words[..10]) } else { rng.word(t.words) }
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some('"') => format!("\"{}", capitalise(c.as_str())),
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn title_case(s: &str) -> String {
    s.split(' ').map(capitalise).collect::<Vec<_>>().join(" ")
}

/// "a" before a vowel-initial word becomes "an".
fn fix_articles(s: &str) -> String {
    let words: Vec<&str> = s.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    for (i, w) in words.iter().enumerate() {
        let next_vowel = words.get(i + 1).and_then(|n| n.chars().next()).is_some_and(|c| "aeiouAEIO".contains(c));
        match *w {
            "a" if next_vowel => out.push("an".into()),
            "A" if next_vowel => out.push("An".into()),
            _ => out.push(w.to_string()),
        }
    }
    out.join(" ")
}

fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `(month name, day of month)` for day `d` (0-based) of 2024.
fn month_day(d: usize) -> (usize, usize) {
    let mut d = d % 366;
    for (m, &(_, len)) in MONTHS.iter().enumerate() {
        if d < len {
            return (m, d + 1);
        }
        d -= len;
    }
    (11, 31)
}

/// RFC 3339 time of hour `h` of 2024.
fn timestamp(h: usize) -> String {
    let (m, d) = month_day(h / 24);
    format!("2024-{:02}-{:02}T{:02}:00:00Z", m + 1, d, h % 24)
}

/// Share of people whose surname is coined from syllables rather than drawn from
/// [`SURNAMES`]: real news names are far more varied than any list, and a small pool would make
/// unrelated stories share names by chance.
const COINED_SURNAME_SHARE: f64 = 0.8;

fn make_person(rng: &mut Rng, role: &str) -> Person {
    let last = if rng.chance(COINED_SURNAME_SHARE) { coined_surname(rng) } else { rng.word(SURNAMES).to_string() };
    Person { first: rng.word(FIRST_NAMES).to_string(), last, role: role.to_string() }
}

/// A pronounceable surname such as "Varenko" or "Brisdale".
fn coined_surname(rng: &mut Rng) -> String {
    const ONSETS: &[&str] = &["b", "br", "c", "d", "dr", "f", "g", "gr", "h", "k", "kr", "l", "m", "n", "p", "r", "s", "st", "t", "v", "w", "z"];
    const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ei", "ou"];
    const ENDINGS: &[&str] = &["nko", "ski", "dale", "son", "ley", "ov", "ez", "ton", "berg", "mann", "ini", "ard", "ic", "wood"];
    let mut s = String::new();
    for _ in 0..1 + rng.below(2) {
        s.push_str(rng.word(ONSETS));
        s.push_str(rng.word(VOWELS));
    }
    s.push_str(rng.word(ENDINGS));
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => s,
    }
}

fn make_number(rng: &mut Rng, topic: &Topic, kind: usize) -> (usize, String) {
    let s = match kind {
        0 if rng.chance(0.5) => format!("${}.{} billion", 1 + rng.below(90), 1 + rng.below(9)),
        0 => format!("${} million", 20 + rng.below(980)),
        1 => match rng.below(2) {
            0 => format!("{}.{} percent", rng.below(30), 1 + rng.below(9)),
            _ => format!("{} percent", 2 + rng.below(60)),
        },
        2 => format!("{} {}", thousands(100 + rng.below(80_000)), rng.word(topic.units)),
        _ => {
            let (m, d) = month_day(rng.below(366));
            format!("{} {}", MONTHS[m].0, d)
        }
    };
    (kind, s)
}

fn make_stories(p: &StoryGenParams, rng: &mut Rng) -> Vec<Story> {
    let topics = p.topics.max(1);
    // Three recurring figures per topic, each in about 10% of its stories (30% in all).
    let figures: Vec<Vec<Person>> = (0..topics)
        .map(|t| TOPICS[t % TOPICS.len()].leaders.iter().map(|r| make_person(rng, r)).collect())
        .collect();
    let mut stories: Vec<Story> = (0..p.stories)
        .map(|_| {
            let ti = rng.below(topics);
            let topic = &TOPICS[ti % TOPICS.len()];
            let mut persons: Vec<Person> = (0..1 + rng.below(2))
                .map(|_| {
                    let role = rng.word(topic.roles);
                    make_person(rng, role)
                })
                .collect();
            if rng.chance(0.3) {
                let f = figures[ti][rng.below(3)].clone();
                persons.insert(rng.below(persons.len() + 1), f);
            }
            let places: Vec<&'static str> = {
                let k = 1 + rng.below(2);
                rng.distinct(PLACES.len(), k)
            }.into_iter().map(|i| PLACES[i]).collect();
            let org = rng.chance(0.7).then(|| format!("{} {}", rng.word(ORG_PREFIXES), rng.word(topic.orgs)));
            let k = 2 + rng.below(3);
            let mut kinds = rng.distinct(4, k);
            kinds.sort_unstable();
            let numbers = kinds.into_iter().map(|k| make_number(rng, topic, k)).collect();
            let rare: Vec<&'static str> = {
                let k = 2 + rng.below(2);
                rng.distinct(RARE.len(), k)
            }.into_iter().map(|i| RARE[i]).collect();
            let q = (rare[0], places[0], rng.word(topic.words));
            let hour = rng.below(p.days.max(1) * 24);
            Story { topic: ti, persons, places, org, numbers, rare, quote: rng.below(QUOTES.len()), q, hour, follows: None }
        })
        .collect();
    // Follow-ups and sequels: the confusers of a story level, the same people in other events.
    let base = stories.len();
    for i in 0..base {
        if rng.chance(p.follow_up_share) {
            let f = follow_up(&stories[i], i, rng);
            stories.push(f);
        }
        if rng.chance(p.sequel_share) {
            let s = sequel(&stories[i], topics, &figures, rng);
            stories.push(s);
        }
    }
    stories
}

/// Rare event words not among `taken`.
fn new_rare(rng: &mut Rng, taken: &[&'static str], k: usize) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    while out.len() < k {
        let w = rng.word(RARE);
        if !taken.contains(&w) && !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// New figures for an event: 2-4 of the four kinds of number.
fn new_numbers(rng: &mut Rng, topic: &Topic) -> Vec<(usize, String)> {
    let k = 2 + rng.below(3);
    let mut kinds = rng.distinct(4, k);
    kinds.sort_unstable();
    kinds.into_iter().map(|k| make_number(rng, topic, k)).collect()
}

/// The next development of story `parent` (index `i`) days later: the same people,
/// organisation and places, new figures, new event words beside one of the first event's,
/// another quotation.
fn follow_up(parent: &Story, i: usize, rng: &mut Rng) -> Story {
    let topic = &TOPICS[parent.topic % TOPICS.len()];
    let mut rare = vec![parent.rare[0]];
    rare.extend(new_rare(rng, &parent.rare, 2));
    let quote = (parent.quote + 1 + rng.below(QUOTES.len() - 1)) % QUOTES.len();
    let days = rng.within(FOLLOW_UP_DAYS);
    Story {
        numbers: new_numbers(rng, topic),
        q: (rare[1], parent.places[0], rng.word(topic.words)),
        rare,
        quote,
        hour: parent.hour + days * 24 + rng.below(24),
        follows: Some(i),
        ..parent.clone()
    }
}

/// The main person of `parent` in another event weeks later, mostly on the same beat: new
/// places, organisation, figures, event words and quotation.
fn sequel(parent: &Story, topics: usize, figures: &[Vec<Person>], rng: &mut Rng) -> Story {
    let ti = if rng.chance(0.7) { parent.topic } else { rng.below(topics) };
    let topic = &TOPICS[ti % TOPICS.len()];
    let mut persons = vec![parent.persons[0].clone()];
    if rng.chance(0.5) {
        let role = rng.word(topic.roles);
        persons.push(make_person(rng, role));
    } else if rng.chance(0.3) {
        persons.push(figures[ti][rng.below(3)].clone());
    }
    let k = 1 + rng.below(2);
    let places: Vec<&'static str> = rng.distinct(PLACES.len(), k).into_iter().map(|i| PLACES[i]).collect();
    let org = rng.chance(0.5).then(|| format!("{} {}", rng.word(ORG_PREFIXES), rng.word(topic.orgs)));
    let k = 2 + rng.below(2);
    let rare = new_rare(rng, &parent.rare, k);
    let days = rng.within(SEQUEL_DAYS);
    Story {
        topic: ti,
        persons,
        q: (rare[0], places[0], rng.word(topic.words)),
        places,
        org,
        numbers: new_numbers(rng, topic),
        rare,
        quote: rng.below(QUOTES.len()),
        hour: parent.hour + days * 24 + rng.below(24),
        follows: None,
    }
}

/// Writes one telling: (title, text).
fn write_telling(story: &Story, vocabulary: Option<&Vocabulary>, rng: &mut Rng) -> (String, String) {
    let topic = &TOPICS[story.topic % TOPICS.len()];
    // Most but not all identity items: the first person and place always, others often.
    let persons: Vec<usize> = (0..story.persons.len()).filter(|&i| i == 0 || rng.chance(0.75)).collect();
    let places: Vec<usize> = (0..story.places.len()).filter(|&i| i == 0 || rng.chance(0.75)).collect();
    let has_org = story.org.is_some() && rng.chance(0.8);
    let nums: Vec<usize> = {
        let k = (story.numbers.len() - rng.below(2)).max(1);
        let mut v = rng.distinct(story.numbers.len(), k);
        v.sort_unstable();
        v
    };
    let mut queue: Vec<Item> = persons.iter().map(|&i| Item::Person(i)).collect();
    queue.extend(places.iter().map(|&i| Item::Place(i)));
    queue.extend(nums.iter().map(|&i| Item::Num(i)));
    queue.extend((0..story.rare.len()).map(Item::Rare));
    if has_org {
        queue.push(Item::Org);
    }
    rng.shuffle(&mut queue);
    let mut t = Telling {
        story,
        topic,
        persons,
        places,
        has_org,
        nums,
        introduced: vec![false; story.persons.len()],
        fallback_org: rng.word(&["the government", "the ministry", "the regulator"]),
        in_sentence: Vec::new(),
        used_templates: Vec::new(),
        queue: queue.into(),
    };
    // The lede names the main person first.
    t.queue.retain(|&x| x != Item::Person(t.persons[0]));
    t.queue.push_front(Item::Person(t.persons[0]));

    let target = 6 + rng.below(15);
    let quote_at = 1 + rng.below(3);
    let mut sentences = vec![t.fill(rng.word(LEDES), rng, &[])];
    while (sentences.len() < target || !t.queue.is_empty()) && sentences.len() < 22 {
        let s = if sentences.len() == quote_at {
            let (q, paraphrases) = QUOTES[story.quote];
            if rng.chance(0.5) {
                let q = t.fill(q, rng, &[]);
                let frame = rng.word(QUOTE_FRAMES);
                t.fill(frame, rng, &[("q", &q)])
            } else {
                let mut s = t.fill(rng.word(paraphrases), rng, &[]);
                s.push_str(&if rng.chance(0.4) { format!(" {}.", rng.word(WHEN)) } else { ".".into() });
                s
            }
        } else if !t.queue.is_empty() && rng.chance(0.8) {
            match t.queue.iter().position(|x| matches!(x, Item::Num(_))).filter(|_| rng.chance(0.5)) {
                Some(pos) => {
                    let Some(Item::Num(i)) = t.queue.remove(pos) else { unreachable!() };
                    let (kind, v) = &story.numbers[i];
                    let frame = rng.word(NUM_FRAMES[*kind]);
                    t.fill(frame, rng, &[("v", v)])
                }
                None => {
                    let tpl = t.template(BODY, rng);
                    t.fill(tpl, rng, &[])
                },
            }
        } else if rng.chance(0.5) {
            {
                    let tpl = t.template(BODY, rng);
                    t.fill(tpl, rng, &[])
                }
        } else {
            {
            let tpl = t.template(FILLER, rng);
            t.fill(tpl, rng, &[])
        }
        };
        let s = if sentences.len() > 2 && !s.starts_with('"') && rng.chance(0.12) {
            let first = s.split(' ').next().unwrap_or("");
            let body = if is_name_start(first, story) { s.clone() } else { lower_first(&s) };
            format!("{}{body}", rng.word(CONNECTORS))
        } else {
            s
        };
        sentences.push(s);
    }
    // Background in the outlet's own words, drawn with real word frequencies.
    if let Some(v) = vocabulary {
        for _ in 0..rng.within(BACKGROUND_SENTENCES) {
            let words: Vec<&str> = (0..12 + rng.below(13)).map(|_| v.sample(rng)).collect();
            let at = 1 + rng.below(sentences.len());
            sentences.insert(at, format!("{}.", capitalise(&words.join(" "))));
        }
    }
    // Paragraphs of one to three sentences; the lede stands alone.
    let mut paras: Vec<String> = vec![sentences[0].clone()];
    let mut i = 1;
    while i < sentences.len() {
        let k = (1 + rng.below(3)).min(sentences.len() - i);
        paras.push(sentences[i..i + k].join(" "));
        i += k;
    }
    let title = t.fill(rng.word(TITLES), rng, &[]);
    (title, paras.join("\n\n"))
}

/// Background sentences of real-frequency words in a telling, fewest and most
/// ([`StoryGenParams::vocabulary`]).
const BACKGROUND_SENTENCES: (usize, usize) = (1, 3);
/// Outlets that republish a copied telling, fewest and most.
const COPIES: (usize, usize) = (1, 3);

/// Whether a sentence-initial word is a proper name (kept capitalised after a connector).
fn is_name_start(w: &str, story: &Story) -> bool {
    let w = w.trim_matches(|c: char| !c.is_alphanumeric());
    let first = |s: &str| s.split(' ').next().unwrap_or("").to_string();
    w.len() > 1 && w.chars().all(|c| c.is_uppercase())
        || story.persons.iter().any(|p| p.first == w || first(&p.last) == w || first(&title_case(&p.role)) == w)
        || story.places.iter().any(|p| first(p) == w)
        || story.org.as_deref().is_some_and(|o| first(o) == w)
        || w == "Olympics"
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Generates the benchmark: every story retold by 2-6 (by default) outlets, documents in
/// publication order.
pub fn generate_stories(p: &StoryGenParams) -> Vec<StoryDoc> {
    let mut rng = Rng(SplitMix64::new(p.seed ^ 0x5354_4f52_5947_454e));
    let stories = make_stories(p, &mut rng);
    let (lo, hi) = (p.tellings_per_story.0.max(1), p.tellings_per_story.1.max(p.tellings_per_story.0.max(1)));
    let mut docs: Vec<(usize, usize, StoryDoc)> = Vec::new();
    let mut clusters = 0u32;
    for (si, story) in stories.iter().enumerate() {
        let n = rng.within((lo, hi));
        let mut outlets = rng.distinct(OUTLETS.len(), OUTLETS.len()).into_iter().cycle().enumerate().map(|(k, o)| {
            if k < OUTLETS.len() { OUTLETS[o].to_string() } else { format!("{}-{k}", OUTLETS[o]) }
        });
        let base_day = story.hour / 24;
        let doc = |outlet: String, hour: usize, title: String, text: String, cluster: Option<u32>| StoryDoc {
            id: String::new(),
            outlet,
            date: timestamp(hour),
            title,
            text,
            story: si as u32,
            topic: story.topic as u32,
            cluster,
            follows: story.follows.map(|f| f as u32),
        };
        for _ in 0..n {
            // Tellings fall within three days of each other.
            let hour = (base_day + rng.below(4)) * 24 + rng.below(24);
            let (title, text) = write_telling(story, p.vocabulary.as_deref(), &mut rng);
            let outlet = outlets.next().expect("cycled");
            if !rng.chance(p.copy_share) {
                docs.push((hour, docs.len(), doc(outlet, hour, title, text, None)));
                continue;
            }
            // Republished by other outlets within a day: a paragraph dropped, a credit added.
            let cluster = Some(clusters);
            clusters += 1;
            for _ in 0..rng.within(COPIES) {
                let mut paras: Vec<&str> = text.split("\n\n").collect();
                if paras.len() > 3 && rng.chance(0.5) {
                    paras.remove(1 + rng.below(paras.len() - 1));
                }
                let mut copy = paras.join("\n\n");
                if rng.chance(0.5) {
                    copy.push_str(&format!("\n\nThis article first appeared on {outlet}."));
                }
                let at = hour + 1 + rng.below(24);
                docs.push((at, docs.len(), doc(outlets.next().expect("cycled"), at, title.clone(), copy, cluster)));
            }
            docs.push((hour, docs.len(), doc(outlet, hour, title, text, cluster)));
        }
    }
    docs.sort_by_key(|(h, i, _)| (*h, *i));
    docs.into_iter()
        .enumerate()
        .map(|(i, (_, _, mut d))| {
            d.id = format!("story-{i:06}");
            d
        })
        .collect()
}

/// Writes the dump as JSONL (`id, outlet, date, title, text`) and, if asked, the labels as
/// JSONL (`id, story, topic, cluster`, and `follows` for a follow-up: the story it follows;
/// `cluster` is the copy group, null for a telling nobody copied). Both files are written
/// atomically.
pub fn write_story_dump(docs: &[StoryDoc], dump: &Path, labels: Option<&Path>) -> Result<()> {
    use crate::bench::synth::DumpLine;
    #[derive(Serialize)]
    struct LabelLine<'a> {
        id: &'a str,
        story: u32,
        topic: u32,
        cluster: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        follows: Option<u32>,
    }
    write_atomic(dump, |w| {
        for d in docs {
            serde_json::to_writer(&mut *w, &DumpLine { id: &d.id, outlet: &d.outlet, date: &d.date, title: &d.title, text: &d.text })?;
            w.write_all(b"\n")?;
        }
        Ok(())
    })?;
    if let Some(labels) = labels {
        write_atomic(labels, |w| {
            for d in docs {
                serde_json::to_writer(&mut *w, &LabelLine { id: &d.id, story: d.story, topic: d.topic, cluster: d.cluster, follows: d.follows })?;
                w.write_all(b"\n")?;
            }
            Ok(())
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::shingle::shingle_set;
    use crate::matching::verify::measure;

    fn small() -> StoryGenParams {
        StoryGenParams { stories: 120, ..StoryGenParams::default() }
    }

    fn jaccard(a: &str, b: &str) -> f64 {
        let (sa, sb) = (shingle_set(a, 5).unwrap(), shingle_set(b, 5).unwrap());
        measure(0, 1, &sa.hashes, &sb.hashes).jaccard
    }

    fn by_story(docs: &[StoryDoc]) -> std::collections::BTreeMap<u32, Vec<&StoryDoc>> {
        let mut m = std::collections::BTreeMap::new();
        for d in docs {
            m.entry(d.story).or_insert_with(Vec::new).push(d);
        }
        m
    }

    #[test]
    fn deterministic_byte_identical() {
        let dir = std::env::temp_dir().join(format!("storygen-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = small();
        let (a, b) = (dir.join("a.jsonl"), dir.join("b.jsonl"));
        write_story_dump(&generate_stories(&p), &a, Some(&dir.join("la.jsonl"))).unwrap();
        write_story_dump(&generate_stories(&p), &b, Some(&dir.join("lb.jsonl"))).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
        assert_eq!(std::fs::read(dir.join("la.jsonl")).unwrap(), std::fs::read(dir.join("lb.jsonl")).unwrap());
        let label: serde_json::Value =
            serde_json::from_str(std::fs::read_to_string(dir.join("la.jsonl")).unwrap().lines().next().unwrap()).unwrap();
        assert!(label["story"].is_u64() && label["cluster"].is_null() && label["topic"].is_u64());
        let other = generate_stories(&StoryGenParams { seed: 2, ..p });
        assert_ne!(std::fs::read_to_string(&a).unwrap().lines().next().unwrap(), serde_json::to_string(&other[0]).unwrap());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn counts_dates_and_outlets() {
        let p = small();
        let docs = generate_stories(&p);
        let stories = by_story(&docs);
        assert!(stories.len() > p.stories, "follow-ups and sequels are stories of their own");
        let copies = docs.iter().filter(|d| d.cluster.is_some()).count();
        assert!(copies * 20 > docs.len() && copies * 2 < docs.len(), "{copies} of {} in copy groups", docs.len());
        for ds in stories.values() {
            // Tellings (one a copy group, whose copies follow within a day) within three days.
            let groups: std::collections::HashSet<_> = ds.iter().map(|d| d.cluster.map_or(d.id.clone(), |c| c.to_string())).collect();
            assert!((2..=6).contains(&groups.len()), "{} tellings", groups.len());
            let days: Vec<usize> = ds.iter().map(|d| d.date[..10].to_string()).map(|s| day_index(&s)).collect();
            assert!(days.iter().max().unwrap() - days.iter().min().unwrap() <= 4, "{days:?}");
            let outlets: std::collections::HashSet<_> = ds.iter().map(|d| &d.outlet).collect();
            assert_eq!(outlets.len(), ds.len(), "one telling per outlet");
            for d in ds {
                let sentences = d.text.matches(". ").count() + d.text.matches(".\n").count() + 1;
                assert!((5..=24).contains(&sentences), "{sentences} sentences");
                assert!(d.date.len() == 20 && d.date.ends_with(":00:00Z"), "{}", d.date);
            }
        }
        let ids: std::collections::HashSet<_> = docs.iter().map(|d| &d.id).collect();
        assert_eq!(ids.len(), docs.len());
        assert!(docs.windows(2).all(|w| w[0].date <= w[1].date), "publication order");
    }

    fn day_index(date: &str) -> usize {
        let m: usize = date[5..7].parse().unwrap();
        let d: usize = date[8..10].parse().unwrap();
        MONTHS[..m - 1].iter().map(|x| x.1).sum::<usize>() + d - 1
    }

    #[test]
    fn tellings_share_identity_not_text() {
        let p = small();
        let mut rng = Rng(SplitMix64::new(p.seed ^ 0x5354_4f52_5947_454e));
        let stories = make_stories(&p, &mut rng);
        let docs = generate_stories(&p);
        let (mut total, mut pairs) = (0.0, 0usize);
        for (s, ds) in by_story(&docs) {
            let st = &stories[s as usize];
            let names: Vec<String> = st
                .persons
                .iter()
                .map(|p| p.last.clone())
                .chain(st.places.iter().map(|p| p.to_string()))
                .chain(st.org.clone())
                .collect();
            for i in 0..ds.len() {
                for j in i + 1..ds.len() {
                    if ds[i].cluster.is_some() && ds[i].cluster == ds[j].cluster {
                        continue; // a copy and its original
                    }
                    let shared = names.iter().filter(|n| ds[i].text.contains(n.as_str()) && ds[j].text.contains(n.as_str())).count();
                    assert!(shared >= 2, "story {s}: {shared} shared names");
                    let rare = st.rare.iter().filter(|w| ds[i].text.contains(*w) && ds[j].text.contains(*w)).count();
                    assert!(rare >= 1);
                    total += jaccard(&ds[i].text, &ds[j].text);
                    pairs += 1;
                }
            }
        }
        let mean = total / pairs as f64;
        assert!(mean < 0.15, "mean 5-gram Jaccard between tellings {mean}");
    }

    #[test]
    fn follow_ups_and_sequels_are_the_same_people_in_other_events() {
        let p = StoryGenParams { stories: 400, ..StoryGenParams::default() };
        let mut rng = Rng(SplitMix64::new(p.seed ^ 0x5354_4f52_5947_454e));
        let stories = make_stories(&p, &mut rng);
        let day = |s: &Story| s.hour / 24;
        let (mut follow_ups, mut sequels) = (0, 0);
        for s in &stories[p.stories..] {
            match s.follows {
                Some(i) => {
                    let parent = &stories[i];
                    follow_ups += 1;
                    assert_eq!((s.persons[0].last.as_str(), s.places[0]), (parent.persons[0].last.as_str(), parent.places[0]));
                    assert!((FOLLOW_UP_DAYS.0..=FOLLOW_UP_DAYS.1 + 1).contains(&(day(s) - day(parent))));
                    assert!(s.rare.iter().filter(|w| !parent.rare.contains(w)).count() >= 2, "new event words");
                }
                None => {
                    sequels += 1;
                    // Its parent: an earlier story of the same main person, weeks before, with
                    // other event words.
                    assert!(stories[..p.stories].iter().any(|b| b.persons[0].last == s.persons[0].last
                        && b.persons[0].first == s.persons[0].first
                        && (day(b) + SEQUEL_DAYS.0..=day(b) + SEQUEL_DAYS.1 + 1).contains(&day(s))
                        && s.rare.iter().all(|w| !b.rare.contains(w))));
                }
            }
        }
        // About a quarter and a seventh of the stories.
        assert!((70..=130).contains(&follow_ups) && (35..=90).contains(&sequels), "{follow_ups} {sequels}");
        // Background sentences come from the vocabulary's words, commoner words more often.
        let v = Vocabulary::from_texts(["the cat and the dog and the bird", "the end"]).unwrap();
        assert_eq!(v.words[0], "the");
        let with = generate_stories(&StoryGenParams { stories: 20, vocabulary: Some(std::sync::Arc::new(v)), ..p.clone() });
        let without = generate_stories(&StoryGenParams { stories: 20, ..p });
        let count = |docs: &[StoryDoc]| docs.iter().map(|d| d.text.matches("bird").count()).sum::<usize>();
        assert!(count(&with) > 0 && count(&without) == 0);
    }

    #[test]
    fn same_topic_stories_share_topic_words() {
        let p = small();
        let docs = generate_stories(&p);
        let stories = by_story(&docs);
        let topic_of = |d: &StoryDoc| &TOPICS[d.topic as usize % TOPICS.len()];
        // A story's words: those of all its tellings.
        let words = |ds: &[&StoryDoc]| -> std::collections::HashSet<String> {
            ds.iter().flat_map(|d| d.text.split(|c: char| !c.is_alphanumeric() && c != '-').map(str::to_string)).collect()
        };
        let sets: std::collections::BTreeMap<u32, _> = stories.iter().map(|(s, ds)| (*s, words(ds))).collect();
        let (mut checked, mut sharing, mut any) = (0, 0, 0);
        for (s, ds) in &stories {
            for (t, other) in &stories {
                if t <= s || other[0].topic != ds[0].topic {
                    continue;
                }
                let (a, b) = (&sets[s], &sets[t]);
                let shared = topic_of(ds[0]).words.iter().filter(|w| a.contains(**w) && b.contains(**w)).count();
                checked += 1;
                sharing += usize::from(shared >= 2);
                any += usize::from(shared >= 1);
            }
        }
        assert!(checked > 100);
        assert!(sharing * 10 >= checked * 9, "{sharing} of {checked} same-topic story pairs share 2+ topic words");
        assert!(any * 20 >= checked * 19, "{any} of {checked} same-topic story pairs share a topic word");
    }

    /// `cargo test --lib storygen::tests::sample -- --ignored --nocapture` prints a sample (and
    /// with `STORYGEN_OUT=DIR` writes the default benchmark to `DIR/dump.jsonl`, `DIR/labels.jsonl`).
    #[test]
    #[ignore]
    fn sample() {
        let docs = generate_stories(&StoryGenParams::default());
        if let Some(dir) = std::env::var_os("STORYGEN_OUT") {
            let dir = std::path::PathBuf::from(dir);
            write_story_dump(&docs, &dir.join("dump.jsonl"), Some(&dir.join("labels.jsonl"))).unwrap();
        }
        let stories = by_story(&docs);
        let (s, ds) = stories.iter().find(|(_, ds)| ds.len() >= 3).unwrap();
        for d in ds.iter().take(2) {
            println!("=== story {s} topic {} {} {}\n# {}\n{}\n", d.topic, d.outlet, d.date, d.title, d.text);
        }
        let other = stories.iter().find(|(t, o)| *t != s && o[0].topic == ds[0].topic).unwrap().1[0];
        println!("=== DISTRACTOR story {} topic {} {} {}\n# {}\n{}\n", other.story, other.topic, other.outlet, other.date, other.title, other.text);
        let (mut within, mut wn, mut across, mut an) = (0.0, 0, 0.0, 0);
        for (t, o) in &stories {
            for i in 0..o.len() {
                for j in i + 1..o.len() {
                    within += jaccard(&o[i].text, &o[j].text);
                    wn += 1;
                }
            }
            if let Some((_, o2)) = stories.range(t + 1..).find(|(_, o2)| o2[0].topic == o[0].topic) {
                across += jaccard(&o[0].text, &o2[0].text);
                an += 1;
            }
        }
        let words: usize = docs.iter().map(|d| d.text.split_whitespace().count()).sum();
        println!("docs {} mean words {} within-story J5 {:.4} ({wn} pairs), same-topic other-story J5 {:.4} ({an} pairs)",
            docs.len(), words / docs.len(), within / wn as f64, across / an as f64);
    }
}

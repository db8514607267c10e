"""Names and places for the directory's demo data (see demo_data.py).

The parish names are Leicestershire's, district by district; which of them has a parish council
and which a parish meeting is the demo's choice, made to give the county's figures (7 town
councils, 160 parish councils, 55 parish meetings: seed 002). Oadby and Wigston has no parishes in
reality; the demo gives it one invented town council so that every district has one.
Coordinates are approximate; places without their own are placed near their district's middle.
"""

# District name → (town council, [parish councils], [parish meetings]).
PARISHES = {
    "Blaby": ("Braunstone Town", [
        "Blaby", "Cosby", "Countesthorpe", "Croft", "Elmesthorpe", "Enderby", "Glen Parva", "Glenfield", "Huncote",
        "Kilby", "Kirby Muxloe", "Leicester Forest East", "Lubbesthorpe", "Narborough", "Sapcote", "Sharnford",
        "Stoney Stanton", "Thurlaston", "Whetstone", "Littlethorpe",
    ], [
        "Aston Flamville", "Leicester Forest West", "Potters Marston", "Wigston Parva",
    ]),
    "Charnwood": ("Shepshed", [
        "Anstey", "Barkby and Barkby Thorpe", "Barrow upon Soar", "Birstall", "Burton on the Wolds, Cotes and Prestwold",
        "Cossington", "East Goscote", "Hathern", "Hoton", "Mountsorrel", "Newtown Linford", "Queniborough", "Quorn",
        "Rearsby", "Rothley", "Seagrave", "Sileby", "Syston", "Thrussington", "Thurcaston and Cropston", "Thurmaston",
        "Woodhouse", "Wymeswold", "Walton on the Wolds", "South Croxton", "Swithland",
    ], [
        "Beeby", "Wanlip", "Ratcliffe on the Wreake", "Ulverscroft",
    ]),
    "Harborough": ("Lutterworth", [
        "Arnesby", "Billesdon", "Bitteswell with Bittesby", "Broughton Astley", "Bruntingthorpe", "Burton Overy",
        "Claybrooke Magna", "Dunton Bassett", "Fleckney", "Foxton", "Gilmorton", "Great Bowden", "Great Easton",
        "Great Glen", "Hallaton", "Houghton on the Hill", "Husbands Bosworth", "Kibworth Beauchamp",
        "Kibworth Harcourt", "Kimcote and Walton", "Leire", "Lubenham", "Medbourne", "Misterton with Walcote",
        "North Kilworth", "Peatling Magna", "Scraptoft", "Shearsby", "Smeeton Westerby", "South Kilworth", "Stoughton",
        "Swinford", "Thurnby and Bushby", "Tilton on the Hill and Halstead", "Tugby and Keythorpe", "Ullesthorpe",
        "Ashby Magna", "Ashby Parva", "Shawell", "Saddington", "Willoughby Waterleys", "East Langton",
        "Frolesworth", "Theddingworth", "Hungarton", "Keyham",
    ], [
        "Blaston", "Bringhurst", "Carlton Curlieu", "Catthorpe", "Claybrooke Parva", "Cold Newton", "Cotesbach",
        "Cranoe", "Drayton", "Foston", "Glooston", "Gumley", "Horninghold", "Illston on the Hill", "Kings Norton",
        "Knaptoft", "Launde", "Laughton", "Loddington", "Lowesby", "Mowsley", "Newton Harcourt", "Noseley",
        "Owston and Newbold", "Peatling Parva", "Rolleston", "Skeffington", "Slawston", "Stonton Wyville",
        "Thorpe Langton", "Tur Langton", "Welham", "West Langton", "Wistow",
    ]),
    "Hinckley and Bosworth": ("Earl Shilton", [
        "Bagworth and Thornton", "Barlestone", "Barwell", "Burbage", "Carlton", "Desford", "Groby",
        "Higham on the Hill", "Market Bosworth", "Markfield", "Nailstone", "Newbold Verdon", "Osbaston", "Peckleton",
        "Ratby", "Shackerstone", "Sheepy", "Stanton under Bardon", "Stoke Golding", "Sutton Cheney", "Twycross",
        "Witherley",
    ], [
        "Cadeby",
    ]),
    "Melton": ("Melton Mowbray", [
        "Ab Kettleby", "Asfordby", "Belvoir", "Bottesford", "Broughton and Old Dalby", "Clawson, Hose and Harby",
        "Croxton Kerrial", "Frisby on the Wreake", "Gaddesby", "Hoby with Rotherby", "Scalford", "Somerby", "Stathern",
        "Waltham on the Wolds and Thorpe Arnold", "Wymondham", "Burton and Dalby", "Eaton", "Redmile", "Grimston",
        "Twyford and Thorpe", "Knossington and Cold Overton", "Kirby Bellars",
    ], [
        "Buckminster", "Freeby", "Garthorpe", "Sproxton", "Sysonby", "Goadby Marwood",
    ]),
    "North West Leicestershire": ("Ashby de la Zouch", [
        "Appleby Magna", "Ashby Woulds", "Belton", "Breedon on the Hill", "Castle Donington", "Coleorton",
        "Ellistown and Battleflat", "Hugglescote and Donington le Heath", "Ibstock", "Kegworth", "Lockington-Hemington",
        "Long Whatton and Diseworth", "Measham", "Oakthorpe and Donisthorpe", "Osgathorpe", "Packington",
        "Ravenstone with Snibstone", "Snarestone", "Swannington", "Swepstone", "Whitwick", "Worthington", "Heather", "Blackfordby",
    ], [
        "Chilcote", "Isley cum Langley", "Staunton Harold", "Stretton en le Field", "Normanton le Heath",
        "Charley",
    ]),
    "Oadby and Wigston": ("Wigston", [], []),
}

# Places the seeds name, whose councils and case studies are not invented.
SEED_PARISHES = {"Desford", "Measham"}

# Town councils that are not real (Oadby and Wigston is unparished; Melton's is the demo's).
INVENTED_TOWN_COUNCILS = {"Wigston", "Melton Mowbray"}

# Middle of each district (latitude, longitude), for places without coordinates of their own.
DISTRICT_MIDDLES = {
    "Blaby": (52.565, -1.215),
    "Charnwood": (52.735, -1.140),
    "Harborough": (52.515, -0.975),
    "Hinckley and Bosworth": (52.610, -1.385),
    "Melton": (52.785, -0.880),
    "North West Leicestershire": (52.755, -1.405),
    "Oadby and Wigston": (52.592, -1.090),
}

# Approximate coordinates of towns and villages the demo uses most.
COORDINATES = {
    "Loughborough": (52.7721, -1.2062), "Shepshed": (52.7700, -1.2950), "Syston": (52.7005, -1.0786),
    "Anstey": (52.6713, -1.1891), "Birstall": (52.6740, -1.1207), "Quorn": (52.7445, -1.1691),
    "Mountsorrel": (52.7250, -1.1430), "Sileby": (52.7316, -1.1091), "Barrow upon Soar": (52.7541, -1.1492),
    "Rothley": (52.7105, -1.1372), "Thurmaston": (52.6742, -1.0949), "East Goscote": (52.7170, -1.0530),
    "Woodhouse": (52.7400, -1.1950),
    "Blaby": (52.5753, -1.1640), "Braunstone Town": (52.6163, -1.1772), "Enderby": (52.5905, -1.2088),
    "Narborough": (52.5730, -1.2020), "Glenfield": (52.6480, -1.2060), "Kirby Muxloe": (52.6330, -1.2300),
    "Countesthorpe": (52.5530, -1.1380), "Cosby": (52.5480, -1.1900), "Whetstone": (52.5720, -1.1810),
    "Sapcote": (52.5370, -1.2640), "Stoney Stanton": (52.5510, -1.2790), "Huncote": (52.5740, -1.2360),
    "Croft": (52.5580, -1.2460), "Sharnford": (52.5240, -1.2960),
    "Market Harborough": (52.4775, -0.9208), "Lutterworth": (52.4560, -1.2000),
    "Kibworth Beauchamp": (52.5390, -0.9940), "Kibworth Harcourt": (52.5450, -0.9950), "Fleckney": (52.5360, -1.0450),
    "Great Glen": (52.5760, -1.0330), "Broughton Astley": (52.5280, -1.2220), "Husbands Bosworth": (52.4520, -1.0550),
    "Billesdon": (52.6150, -0.9200), "Hallaton": (52.5620, -0.8310), "Cotesbach": (52.4330, -1.2000),
    "Great Bowden": (52.4940, -0.9090), "Lubenham": (52.4740, -0.9590), "Houghton on the Hill": (52.6290, -1.0100),
    "Scraptoft": (52.6420, -1.0540), "Thurnby and Bushby": (52.6330, -1.0500),
    "Hinckley": (52.5413, -1.3733), "Earl Shilton": (52.5770, -1.3140), "Barwell": (52.5660, -1.3440),
    "Burbage": (52.5280, -1.3490), "Desford": (52.6250, -1.2930), "Markfield": (52.6870, -1.2770),
    "Groby": (52.6630, -1.2290), "Ratby": (52.6460, -1.2480), "Market Bosworth": (52.6240, -1.4010),
    "Newbold Verdon": (52.6290, -1.3420), "Stoke Golding": (52.5730, -1.4110), "Barlestone": (52.6460, -1.3680),
    "Bagworth and Thornton": (52.6690, -1.3380), "Sheepy": (52.6040, -1.5200), "Twycross": (52.6440, -1.5130),
    "Melton Mowbray": (52.7650, -0.8860), "Asfordby": (52.7620, -0.9530), "Bottesford": (52.9430, -0.8000),
    "Waltham on the Wolds and Thorpe Arnold": (52.8180, -0.8140), "Somerby": (52.6940, -0.8460),
    "Clawson, Hose and Harby": (52.8400, -0.9300), "Broughton and Old Dalby": (52.8040, -1.0000),
    "Frisby on the Wreake": (52.7480, -0.9700), "Scalford": (52.8030, -0.8810), "Croxton Kerrial": (52.8470, -0.7610),
    "Gaddesby": (52.7020, -0.9970), "Wymondham": (52.7570, -0.7400), "Stathern": (52.8730, -0.8560),
    "Coalville": (52.7225, -1.3700), "Ashby de la Zouch": (52.7460, -1.4760), "Castle Donington": (52.8430, -1.3380),
    "Kegworth": (52.8350, -1.2750), "Measham": (52.7060, -1.5080), "Ibstock": (52.6870, -1.4030),
    "Whitwick": (52.7400, -1.3560), "Ashby Woulds": (52.7320, -1.5390), "Breedon on the Hill": (52.8050, -1.4000),
    "Long Whatton and Diseworth": (52.8040, -1.2760), "Appleby Magna": (52.6840, -1.5290),
    "Hugglescote and Donington le Heath": (52.7100, -1.3710), "Ellistown and Battleflat": (52.6970, -1.3620),
    "Swannington": (52.7430, -1.3920), "Packington": (52.7280, -1.4700),
    "Wigston": (52.5870, -1.1040), "Oadby": (52.6060, -1.0810),
}

# The first part of the postcode for each district's demo addresses.
POSTCODE_AREAS = {
    "Blaby": "LE9", "Charnwood": "LE12", "Harborough": "LE16", "Hinckley and Bosworth": "LE10", "Melton": "LE14",
    "North West Leicestershire": "LE67", "Oadby and Wigston": "LE18",
}

# The 35 community managed libraries, by parish (named after their village: LIBRARY_NAMES).
LIBRARIES = [
    "Anstey", "Barrow upon Soar", "Birstall", "Bottesford", "Braunstone Town", "Burbage", "Castle Donington",
    "Cosby", "Countesthorpe", "Desford", "East Goscote", "Enderby", "Fleckney", "Great Glen", "Groby", "Ibstock",
    "Kegworth", "Kibworth Beauchamp", "Kirby Muxloe", "Market Bosworth", "Markfield", "Measham", "Mountsorrel",
    "Narborough", "Newbold Verdon", "Broughton and Old Dalby", "Quorn", "Ratby", "Rothley", "Sapcote", "Sileby",
    "Thurmaston", "Thurnby and Bushby", "Woodhouse", "Billesdon",
]

LIBRARY_NAMES = {"Broughton and Old Dalby": "Old Dalby", "Woodhouse": "Woodhouse Eaves",
                 "Thurnby and Bushby": "Thurnby", "Kibworth Beauchamp": "Kibworth"}

# Community buildings (village halls and community centres), by parish.
HALLS = [
    "Asfordby", "Barlestone", "Belton", "Breedon on the Hill", "Burton Overy", "Cossington", "Croft", "Croxton Kerrial",
    "Dunton Bassett", "Elmesthorpe", "Foxton", "Frisby on the Wreake", "Gaddesby", "Gilmorton", "Great Bowden",
    "Great Easton", "Hallaton", "Hathern", "Higham on the Hill", "Houghton on the Hill", "Huncote",
    "Husbands Bosworth", "Kilby", "Leire", "Long Whatton and Diseworth", "Lubenham", "Medbourne", "Nailstone",
    "Newtown Linford", "Packington", "Queniborough", "Redmile", "Scalford", "Seagrave", "Somerby", "Stathern",
    "Stoke Golding", "Swannington", "Thurlaston", "Wymeswold",
]
# Larger places get a community centre rather than a village hall.
COMMUNITY_CENTRES = {"Asfordby", "Hathern", "Great Bowden", "Stoke Golding", "Queniborough"}

STREETS = ["Main Street", "Church Lane", "High Street", "School Lane", "Station Road", "The Green", "Mill Lane",
           "Leicester Road", "Chapel Street", "Town End"]

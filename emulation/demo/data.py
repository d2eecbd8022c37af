"""Places, names and the skills framework of the demo province (Lai Châu), used by ``province``.

Everything here is plain data. Communes are the 36 communes and 2 wards formed on
1 July 2025 (Resolution 1670/NQ-UBTVQH15), grouped by the district they came from,
because ethnic make-up, schools and progress follow the old districts.
"""

# Old district -> ethnic mix of its communes (relative weights).
ETHNIC_MIX = {
    "city": {"Kinh": 50, "Thái": 12, "Mông": 12, "Dao": 8, "Giáy": 8, "Khơ Mú": 5, "Hà Nhì": 3, "Lự": 2},
    "tam_duong": {"Mông": 25, "Thái": 22, "Giáy": 20, "Dao": 15, "Kinh": 12, "Lự": 6},
    "phong_tho": {"Mông": 30, "Dao": 28, "Thái": 12, "Giáy": 10, "Kinh": 10, "Hà Nhì": 5, "Lự": 5},
    "sin_ho": {"Mông": 42, "Thái": 18, "Dao": 13, "Hà Nhì": 8, "Khơ Mú": 7, "Lự": 6, "Kinh": 6},
    "nam_nhun": {"Thái": 25, "Mông": 22, "Hà Nhì": 18, "Khơ Mú": 12, "Dao": 10, "Kinh": 8, "La Hủ": 5},
    "muong_te": {"Hà Nhì": 38, "La Hủ": 22, "Mông": 10, "Thái": 10, "Dao": 8, "Kinh": 6, "Khơ Mú": 6},
    "than_uyen": {"Thái": 58, "Mông": 17, "Kinh": 15, "Khơ Mú": 7, "Dao": 3},
    "tan_uyen": {"Thái": 42, "Mông": 23, "Kinh": 15, "Khơ Mú": 8, "Dao": 8, "Giáy": 4},
}

# (name, kind, old district, progress 0..1, population in thousands, old district centre).
# Progress drives how early and how far a commune's people learn: the wards and the
# lowland valleys lead, the border highlands of Mường Tè, Sìn Hồ and Nậm Nhùn trail.
COMMUNES = [
    ("Tân Phong", "ward", "city", 0.92, 22, True),
    ("Đoàn Kết", "ward", "city", 0.95, 24, False),
    ("Than Uyên", "commune", "than_uyen", 0.82, 22, True),
    ("Mường Than", "commune", "than_uyen", 0.72, 18, False),
    ("Mường Kim", "commune", "than_uyen", 0.68, 17, False),
    ("Khoen On", "commune", "than_uyen", 0.50, 13, False),
    ("Tân Uyên", "commune", "tan_uyen", 0.80, 20, True),
    ("Mường Khoa", "commune", "tan_uyen", 0.62, 14, False),
    ("Pắc Ta", "commune", "tan_uyen", 0.60, 14, False),
    ("Nậm Sỏ", "commune", "tan_uyen", 0.45, 12, False),
    ("Bình Lư", "commune", "tam_duong", 0.82, 18, True),
    ("Bản Bo", "commune", "tam_duong", 0.62, 14, False),
    ("Tả Lèng", "commune", "tam_duong", 0.55, 13, False),
    ("Khun Há", "commune", "tam_duong", 0.40, 12, False),
    ("Phong Thổ", "commune", "phong_tho", 0.75, 20, True),
    ("Khổng Lào", "commune", "phong_tho", 0.66, 15, False),
    ("Sin Suối Hồ", "commune", "phong_tho", 0.52, 17, False),
    ("Dào San", "commune", "phong_tho", 0.45, 18, False),
    ("Sì Lở Lầu", "commune", "phong_tho", 0.38, 15, False),
    ("Sìn Hồ", "commune", "sin_ho", 0.66, 14, True),
    ("Nậm Tăm", "commune", "sin_ho", 0.55, 15, False),
    ("Tủa Sín Chải", "commune", "sin_ho", 0.40, 12, False),
    ("Hồng Thu", "commune", "sin_ho", 0.42, 12, False),
    ("Pu Sam Cáp", "commune", "sin_ho", 0.35, 11, False),
    ("Nậm Cuổi", "commune", "sin_ho", 0.38, 13, False),
    ("Nậm Mạ", "commune", "sin_ho", 0.40, 11, False),
    ("Nậm Hàng", "commune", "nam_nhun", 0.62, 7, True),
    ("Lê Lợi", "commune", "nam_nhun", 0.50, 6, False),
    ("Mường Mô", "commune", "nam_nhun", 0.42, 6, False),
    ("Hua Bum", "commune", "nam_nhun", 0.33, 5, False),
    ("Pa Tần", "commune", "nam_nhun", 0.40, 7, False),
    ("Mường Tè", "commune", "muong_te", 0.62, 10, True),
    ("Bum Nưa", "commune", "muong_te", 0.50, 9, False),
    ("Bum Tở", "commune", "muong_te", 0.45, 8, False),
    ("Thu Lũm", "commune", "muong_te", 0.32, 5, False),
    ("Pa Ủ", "commune", "muong_te", 0.30, 6, False),
    ("Mù Cả", "commune", "muong_te", 0.30, 5, False),
    ("Tà Tổng", "commune", "muong_te", 0.30, 7, False),
]

# Pilot ("xã điểm") communes whose every unit was to finish within the given year.
PILOT_COMMUNES = {"Đoàn Kết": 2025, "Bình Lư": 2025}

# Upper secondary schools: (commune, code suffix, name). The first block always exists;
# the second only at larger scales, when the province has enough pupils to fill them.
HIGH_SCHOOLS = [
    ("Đoàn Kết", "THPTC", "Trường THPT Chuyên Lê Quý Đôn"),
    ("Tân Phong", "THPT", "Trường THPT Thành phố Lai Châu"),
    ("Tân Phong", "PTDTNT", "Trường Phổ thông Dân tộc nội trú tỉnh Lai Châu"),
    ("Than Uyên", "THPT", "Trường THPT Than Uyên"),
    ("Tân Uyên", "THPT", "Trường THPT Tân Uyên"),
    ("Bình Lư", "THPT", "Trường THPT Tam Đường"),
    ("Phong Thổ", "THPT", "Trường THPT Phong Thổ"),
    ("Sìn Hồ", "THPT", "Trường THPT Sìn Hồ"),
    ("Nậm Hàng", "THPT", "Trường THPT Nậm Nhùn"),
    ("Mường Tè", "THPT", "Trường THPT Mường Tè"),
]
EXTRA_HIGH_SCHOOLS = [
    ("Mường Kim", "THPT", "Trường THPT Mường Kim"),
    ("Dào San", "THPT", "Trường THPT Dào San"),
    ("Nậm Tăm", "THPT", "Trường THPT Nậm Tăm"),
    ("Mường Than", "THPT", "Trường THPT Mường Than"),
    ("Bum Nưa", "THPT", "Trường THPT Bum Nưa"),
]

# Provincial agencies: (code, name, relative size, head's title, deputy's title, staff titles).
_STAFF = ["Chuyên viên"] * 6 + ["Chuyên viên chính"] * 2 + ["Trưởng phòng", "Phó Trưởng phòng", "Kế toán", "Văn thư"]
PROVINCIAL_AGENCIES = [
    ("VP-UBND", "Văn phòng UBND tỉnh", 6, "Chánh Văn phòng", "Phó Chánh Văn phòng", _STAFF),
    ("VP-HDND", "Văn phòng Đoàn ĐBQH và HĐND tỉnh", 3, "Chánh Văn phòng", "Phó Chánh Văn phòng", _STAFF),
    ("SO-NV", "Sở Nội vụ", 5, "Giám đốc Sở", "Phó Giám đốc Sở", _STAFF),
    ("SO-TC", "Sở Tài chính", 5, "Giám đốc Sở", "Phó Giám đốc Sở", _STAFF),
    ("SO-TP", "Sở Tư pháp", 3, "Giám đốc Sở", "Phó Giám đốc Sở", _STAFF),
    ("SO-XD", "Sở Xây dựng", 5, "Giám đốc Sở", "Phó Giám đốc Sở", _STAFF),
    ("SO-CT", "Sở Công Thương", 4, "Giám đốc Sở", "Phó Giám đốc Sở", _STAFF),
    ("SO-NNMT", "Sở Nông nghiệp và Môi trường", 8, "Giám đốc Sở", "Phó Giám đốc Sở", _STAFF),
    ("SO-KHCN", "Sở Khoa học và Công nghệ", 4, "Giám đốc Sở", "Phó Giám đốc Sở", _STAFF),
    ("SO-GDDT", "Sở Giáo dục và Đào tạo", 5, "Giám đốc Sở", "Phó Giám đốc Sở", _STAFF),
    ("SO-YT", "Sở Y tế", 5, "Giám đốc Sở", "Phó Giám đốc Sở", _STAFF),
    ("SO-VHTTDL", "Sở Văn hóa, Thể thao và Du lịch", 5, "Giám đốc Sở", "Phó Giám đốc Sở", _STAFF),
    ("SO-DTTG", "Sở Dân tộc và Tôn giáo", 3, "Giám đốc Sở", "Phó Giám đốc Sở", _STAFF),
    ("TTR-TINH", "Thanh tra tỉnh", 3, "Chánh Thanh tra", "Phó Chánh Thanh tra",
     ["Thanh tra viên"] * 4 + _STAFF),
    ("TT-HCC", "Trung tâm Phục vụ hành chính công tỉnh", 3, "Giám đốc", "Phó Giám đốc",
     ["Viên chức tiếp nhận hồ sơ"] * 4 + _STAFF),
    ("BAO-LC", "Báo và Phát thanh, Truyền hình Lai Châu", 5, "Tổng Biên tập", "Phó Tổng Biên tập",
     ["Phóng viên"] * 4 + ["Biên tập viên"] * 3 + ["Kỹ thuật viên"] * 2 + ["Kế toán"]),
    ("BQL-KKT", "Ban Quản lý Khu kinh tế tỉnh", 2, "Trưởng ban", "Phó Trưởng ban", _STAFF),
    ("BV-DKT", "Bệnh viện Đa khoa tỉnh Lai Châu", 12, "Giám đốc", "Phó Giám đốc",
     ["Bác sĩ"] * 4 + ["Điều dưỡng"] * 5 + ["Kỹ thuật viên y"] * 2 + ["Dược sĩ", "Kế toán"]),
]

# The post-2025 commune government: People's Committee and its offices.
COMMUNE_LEADERS = ["Chủ tịch UBND {kind}", "Phó Chủ tịch UBND {kind}", "Phó Chủ tịch UBND {kind}",
                   "Chánh Văn phòng HĐND và UBND {kind}", "Trưởng phòng Kinh tế", "Trưởng phòng Văn hóa - Xã hội"]
COMMUNE_STAFF = [
    "Công chức văn hóa - xã hội", "Công chức văn hóa - xã hội", "Công chức tư pháp - hộ tịch",
    "Công chức tài chính - kế toán", "Công chức địa chính - xây dựng", "Công chức văn phòng - thống kê",
    "Chuyên viên Phòng Kinh tế", "Chuyên viên Phòng Văn hóa - Xã hội",
    "Chuyên viên Văn phòng HĐND và UBND", "Viên chức Trung tâm Phục vụ hành chính công",
]
SCHOOL_LEADERS = ["Hiệu trưởng", "Phó Hiệu trưởng"]
SCHOOL_STAFF = ["Giáo viên"] * 17 + ["Nhân viên kế toán", "Nhân viên văn thư", "Nhân viên thư viện",
                                     "Nhân viên y tế trường học", "Tổng phụ trách Đội"]
PRESCHOOL_STAFF = ["Giáo viên mầm non"] * 9 + ["Nhân viên nuôi dưỡng", "Nhân viên kế toán"]
ENTERPRISE_LEADERS = ["Giám đốc", "Phó Giám đốc"]
ENTERPRISE_STAFF = ["Công nhân"] * 6 + ["Kỹ thuật viên"] * 2 + ["Nhân viên kinh doanh", "Nhân viên văn phòng",
                                                              "Kế toán", "Lái xe"]
COOPERATIVE_LEADERS = ["Giám đốc HTX", "Phó Giám đốc HTX"]
COOPERATIVE_STAFF = ["Thành viên HTX"] * 8 + ["Kế toán HTX"]

# Large employers: (code, name, commune, relative size). Always created first.
MAJOR_ENTERPRISES = [
    ("DN-DLLC", "Công ty Điện lực Lai Châu", "Tân Phong", 8),
    ("DN-VTLC", "Viettel Lai Châu", "Đoàn Kết", 6),
    ("DN-CSLC", "Công ty Cổ phần Cao su Lai Châu", "Than Uyên", 12),
    ("DN-VNPT", "VNPT Lai Châu", "Tân Phong", 5),
    ("DN-BDLC", "Bưu điện tỉnh Lai Châu", "Đoàn Kết", 5),
    ("DN-CHETD", "Công ty Cổ phần Chè Tam Đường", "Bình Lư", 7),
    ("DN-TDLC", "Nhà máy Thủy điện Lai Châu", "Nậm Hàng", 6),
    ("DN-TDHQ", "Nhà máy Thủy điện Huội Quảng", "Mường Kim", 5),
    ("DN-CNLC", "Công ty Cổ phần Cấp nước Lai Châu", "Đoàn Kết", 3),
    ("DN-MTDT", "Công ty Cổ phần Môi trường và Công trình đô thị Lai Châu", "Tân Phong", 3),
]
ENTERPRISE_FORMS = ["Công ty TNHH", "Công ty TNHH", "Công ty Cổ phần", "Doanh nghiệp tư nhân"]
ENTERPRISE_TRADES = ["Xây dựng", "Thương mại và Dịch vụ", "Vận tải", "Chế biến nông sản", "Du lịch",
                     "Xây dựng và Thương mại", "Đầu tư và Phát triển", "Vật liệu xây dựng", "Dược liệu"]
ENTERPRISE_BRANDS = ["Tây Bắc", "Hoàng Liên", "Sơn Hà", "Phú Thịnh", "Minh Phát", "Thành Đạt", "Hưng Thịnh",
                     "An Phú", "Trường Sơn", "Sông Đà", "Nậm Na", "Pu Ta Leng", "Bạch Mộc", "Sao Mai",
                     "Đại Phát", "Tuấn Hưng", "Hải Yến", "Quang Minh", "Mường Then", "Thiên Sơn"]
COOPERATIVE_PRODUCTS = ["Nông nghiệp", "Chè Shan tuyết", "Dong riềng", "Thảo quả", "Dệt thổ cẩm",
                        "Du lịch cộng đồng", "Chăn nuôi", "Rau an toàn", "Dược liệu", "Mắc ca", "Nuôi cá lồng",
                        "Gạo Séng Cù", "Sâm Lai Châu", "Nông sản sạch", "Dịch vụ tổng hợp"]

# Syllables of village names: valley names (Tai origin) and highland names (Hmong-Mien, Lolo).
VALLEY_HEADS = ["Nà", "Huổi", "Phiêng", "Nậm", "Pá", "Hua", "Co", "Bó", "Tát", "Na", "Noong", "Khe"]
VALLEY_TAILS = ["Khum", "Luông", "Pẳng", "Cưởi", "Mu", "Hon", "Pục", "Bon", "Ten", "Lại", "Tăm", "Pết",
                "Sẳng", "Khoang", "Đanh", "Ngọa", "Chiến", "Mới", "Phát", "Củng", "Ít", "Dôn", "Sai", "Hằn"]
HIGHLAND_HEADS = ["Sì", "Sin", "Tả", "Séo", "Sán", "Hồ", "Mù", "Lùng", "Pờ", "Thèn", "Sà", "Phìn", "Xà",
                  "Chu", "Cư", "Pa", "Làng", "Tà"]
HIGHLAND_TAILS = ["Chải", "Phìn", "Hồ", "Thàng", "Lìn", "Dền", "Sang", "Chồ", "Lủ", "Xin", "Giàng", "Chản",
                  "Pao", "Ván", "Mán", "Ngài", "Xá", "Pho", "Lũng", "Câu", "Tông", "Khoa", "Sử", "Nhè"]
VALLEY_ETHNICITIES = ("Kinh", "Thái", "Giáy", "Lự", "Khơ Mú")

# Names by ethnicity: family names (weighted), middle names and given names by gender.
# Mông, Hà Nhì and La Hủ men commonly carry "A" (or a clan syllable) as the middle name.
NAMES_BY_ETHNICITY = {
    "Kinh": dict(
        families={"Nguyễn": 30, "Trần": 10, "Lê": 9, "Phạm": 7, "Hoàng": 5, "Vũ": 5, "Đỗ": 4, "Bùi": 4,
                  "Đặng": 4, "Ngô": 3, "Đinh": 3, "Phan": 3, "Dương": 2, "Lương": 2, "Hà": 2, "Trịnh": 2,
                  "Đào": 2},
        male_middle=["Văn", "Văn", "Đức", "Minh", "Quang", "Ngọc", "Xuân", "Thanh", "Hữu", "Công"],
        female_middle=["Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Kim"],
        male=["An", "Bình", "Cường", "Dũng", "Đức", "Giang", "Hải", "Hiếu", "Hoàng", "Hùng", "Huy", "Khánh",
              "Long", "Minh", "Nam", "Phong", "Phúc", "Quân", "Sơn", "Thắng", "Thành", "Trung", "Tuấn",
              "Tùng", "Việt", "Vinh"],
        female=["Anh", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Huyền", "Hương", "Lan", "Liên", "Linh",
                "Loan", "Mai", "Nga", "Ngọc", "Nhung", "Phương", "Quỳnh", "Thảo", "Thủy", "Trang", "Vân",
                "Yến"],
    ),
    "Thái": dict(
        families={"Lò": 20, "Lường": 12, "Tao": 8, "Cầm": 8, "Điêu": 6, "Hoàng": 6, "Quàng": 6, "Vì": 5,
                  "Lù": 4, "Hà": 3, "Mè": 3, "Tòng": 3, "Lê": 3, "Bạc": 2},
        male_middle=["Văn"], female_middle=["Thị"],
        male=["Pằn", "Chăn", "Ươn", "Xương", "Panh", "Khăm", "Ún", "Pọm", "Tiến", "Inh", "Thanh", "Hặc",
              "Đôi", "Phong", "Chiến", "Quý", "Hoan", "Thoại", "Biên", "Kiên", "Sơn", "Dũng"],
        female=["Mai", "Hoa", "Ín", "Xiêng", "Ánh", "Cương", "Lả", "Thoa", "Ương", "Ỏn", "Hiên", "Hom",
                "Pâng", "Thủy", "Lan", "Thơm", "Ban", "Ính", "Vân", "Hương"],
    ),
    "Mông": dict(
        families={"Giàng": 18, "Vàng": 14, "Lý": 12, "Thào": 10, "Sùng": 10, "Lầu": 6, "Mùa": 6, "Hầu": 5,
                  "Tráng": 4, "Cứ": 3, "Hạng": 3, "Vừ": 3, "Chang": 2, "Lồ": 2},
        male_middle=["A", "A", "A", "A", "Văn", "Seo"], female_middle=["Thị"],
        male=["Páo", "Sử", "Chứ", "Dơ", "Lử", "Sính", "Chính", "Tủa", "Pó", "Nhè", "Của", "Sò", "Chư",
              "Vư", "Sùng", "Khua", "Tếnh", "Dế", "Phổng", "Lềnh", "Sình", "Chu", "Xá", "Thành"],
        female=["Mỷ", "Dợ", "Dở", "Chở", "Sua", "Máy", "Pàng", "Súa", "Sông", "Dính", "Mai", "Vá", "Khu",
                "Chá", "Lan", "Xí", "Chu", "Ly", "Sinh", "Dung"],
    ),
    "Dao": dict(
        families={"Tẩn": 18, "Phàn": 16, "Chảo": 16, "Lý": 10, "Đặng": 10, "Triệu": 8, "Bàn": 8},
        male_middle=["Láo", "Láo", "Văn", "A"], female_middle=["Thị"],
        male=["Lở", "San", "Chiêu", "Sèng", "Quẩy", "Phẩu", "Liều", "Vảng", "Kìn", "Tả", "Chòi", "Sinh",
              "Lai", "Phin", "Dảo", "Mình"],
        female=["Mẩy", "Xá", "Chài", "Mây", "Sành", "Liếu", "Dính", "Nái", "Kiều", "Mùi", "Lai", "Sì",
                "Diu", "Duyên", "Phù", "Chiêu"],
    ),
    "Giáy": dict(
        families={"Hoàng": 15, "Lò": 12, "Vương": 10, "Lù": 10, "Thèn": 8, "Giàng": 6, "Sầm": 4, "Lồ": 4,
                  "Lương": 4, "Vàng": 4},
        male_middle=["Văn"], female_middle=["Thị"],
        male=["Sơn", "Khánh", "Dương", "Chung", "Thanh", "Pao", "Phúc", "Quang", "Hải", "Tiến", "Sáng",
              "Chiến", "Đức", "Hưng"],
        female=["Sen", "Hoa", "Mai", "Lan", "Dinh", "Thu", "Nga", "Hằng", "Xuân", "Liên", "Thêu", "Phấn"],
    ),
    "Hà Nhì": dict(
        families={"Pờ": 18, "Lỳ": 16, "Chu": 14, "Lò": 10, "Phu": 8, "Sần": 6, "Hờ": 4},
        male_middle=["Xá", "Gió", "A", "A", "Mò"], female_middle=["Thị", "Thị", "Mé"],
        male=["Chừ", "Xá", "Gơ", "Phì", "Lừ", "Hừ", "Pừ", "Dì", "Chè", "Xạ", "Mò", "Cà", "Là", "Hồ", "Giê"],
        female=["Xè", "Mé", "Gạ", "Pà", "Sơ", "Mỹ", "Phà", "Chi", "Xa", "Dơ", "Lé", "Pứ"],
    ),
    "Lự": dict(
        families={"Lò": 25, "Tao": 20, "Pha": 12, "Chìn": 10, "Đao": 8, "Lê": 6, "Vàng": 5},
        male_middle=["Văn"], female_middle=["Thị"],
        male=["Khăm", "Ún", "Pàn", "Xiêng", "Sương", "Pánh", "Đôi", "Thỏa", "Ính", "Chăn", "Phanh"],
        female=["Chiêng", "Ánh", "Hom", "Bua", "Pọm", "Ỏn", "Phăn", "Ín", "Ngọc", "Liên", "Xoa"],
    ),
    "Khơ Mú": dict(
        families={"Lò": 20, "Vì": 15, "Cầm": 12, "Quàng": 10, "Lường": 10, "Tòng": 8, "Lù": 6, "Hoàng": 5},
        male_middle=["Văn"], female_middle=["Thị"],
        male=["Nghiên", "Hăm", "Pó", "Thết", "Ón", "Chăn", "Sinh", "Xuân", "Dân", "Pánh", "Phong", "Chơ",
              "Hùn"],
        female=["Ỏn", "Xoan", "Hiêng", "Nọi", "Kim", "Mý", "Dung", "Thu", "Pim", "Hiền", "Ọn", "Phên"],
    ),
    "La Hủ": dict(
        families={"Lý": 20, "Chà": 18, "Phùng": 12, "Giàng": 10, "Lò": 10, "Vàng": 6},
        male_middle=["A", "A", "Gạ", "Xá", "Lù"], female_middle=["Thị"],
        male=["Pừ", "Xè", "Ma", "Dì", "Gì", "Phì", "Lò", "Xá", "Pó", "Lụ", "Chừ", "Cà"],
        female=["Gạ", "Dì", "Mi", "Xe", "Mỳ", "Pứ", "Nu", "Ca", "Dụ", "Mé"],
    ),
}

# The skills framework: the six domains of the national digital competence framework,
# levels 1-8. (code, name, domain, level, points, groups the skill is required for).
# Required sets: citizens 6, workers 7, students 8, cadres 10 skills.
SKILLS = [
    ("KT01", "Sử dụng điện thoại thông minh cơ bản", "khai_thac_du_lieu", 1, 5, "worker;citizen"),
    ("KT02", "Tìm kiếm thông tin trên Internet", "khai_thac_du_lieu", 1, 5, "cadre;student;citizen"),
    ("KT03", "Sử dụng ứng dụng VNeID", "khai_thac_du_lieu", 1, 10, "cadre;worker;citizen"),
    ("KT04", "Đánh giá độ tin cậy của thông tin", "khai_thac_du_lieu", 3, 10, "student"),
    ("KT05", "Lưu trữ và quản lý tệp tin, thư mục", "khai_thac_du_lieu", 2, 5, "cadre"),
    ("KT06", "Tra cứu thông tin trên Cổng Dịch vụ công quốc gia", "khai_thac_du_lieu", 2, 5, ""),
    ("KT07", "Xử lý dữ liệu bằng bảng tính", "khai_thac_du_lieu", 4, 15, ""),
    ("KT08", "Tra cứu thời tiết, giá nông sản trên ứng dụng", "khai_thac_du_lieu", 1, 5, ""),
    ("GT01", "Nhắn tin, gọi video qua Zalo", "giao_tiep_hop_tac", 1, 5, "worker;citizen"),
    ("GT02", "Sử dụng thư điện tử", "giao_tiep_hop_tac", 2, 5, "student;worker"),
    ("GT03", "Nộp hồ sơ dịch vụ công trực tuyến", "giao_tiep_hop_tac", 2, 10, "cadre"),
    ("GT04", "Tham gia họp trực tuyến", "giao_tiep_hop_tac", 2, 5, "cadre"),
    ("GT05", "Cộng tác trên tài liệu dùng chung", "giao_tiep_hop_tac", 3, 10, ""),
    ("GT06", "Ứng xử văn minh trên mạng xã hội", "giao_tiep_hop_tac", 1, 5, "student"),
    ("GT07", "Sử dụng hệ thống quản lý văn bản và điều hành", "giao_tiep_hop_tac", 3, 10, "cadre"),
    ("ST01", "Soạn thảo văn bản trên máy tính", "sang_tao_noi_dung", 2, 5, "cadre;student"),
    ("ST02", "Chụp ảnh, quay video bằng điện thoại", "sang_tao_noi_dung", 1, 0, ""),
    ("ST03", "Tạo bài trình chiếu", "sang_tao_noi_dung", 3, 10, ""),
    ("ST04", "Quảng bá nông sản, du lịch trên mạng xã hội", "sang_tao_noi_dung", 3, 10, ""),
    ("ST05", "Lập trình cơ bản", "sang_tao_noi_dung", 5, 20, ""),
    ("ST06", "Biên tập video ngắn", "sang_tao_noi_dung", 4, 15, ""),
    ("ST07", "Tôn trọng bản quyền nội dung số", "sang_tao_noi_dung", 3, 5, ""),
    ("AT01", "Nhận diện lừa đảo trực tuyến", "an_toan", 1, 10, "cadre;student;worker;citizen"),
    ("AT02", "Đặt mật khẩu mạnh và xác thực hai lớp", "an_toan", 2, 5, "student;worker"),
    ("AT03", "Bảo vệ dữ liệu cá nhân", "an_toan", 2, 5, "cadre"),
    ("AT04", "Bảo vệ sức khỏe khi sử dụng thiết bị số", "an_toan", 1, 0, ""),
    ("AT05", "Bảo mật thông tin trong cơ quan nhà nước", "an_toan", 4, 15, ""),
    ("AT06", "Phòng chống tin giả, tin xấu độc", "an_toan", 2, 5, ""),
    ("GQ01", "Thanh toán không dùng tiền mặt", "giai_quyet_van_de", 1, 10, "worker;citizen"),
    ("GQ02", "Mua bán trên sàn thương mại điện tử", "giai_quyet_van_de", 2, 10, ""),
    ("GQ03", "Sử dụng dịch vụ ngân hàng số", "giai_quyet_van_de", 2, 5, ""),
    ("GQ04", "Khắc phục sự cố thiết bị thường gặp", "giai_quyet_van_de", 3, 10, ""),
    ("GQ05", "Học trực tuyến trên nền tảng MOOC", "giai_quyet_van_de", 2, 5, "student"),
    ("GQ06", "Sử dụng sổ sức khỏe điện tử", "giai_quyet_van_de", 1, 5, ""),
    ("GQ07", "Tự đánh giá và nâng cao năng lực số", "giai_quyet_van_de", 4, 10, ""),
    ("AI01", "Hiểu biết cơ bản về trí tuệ nhân tạo", "ung_dung_ai", 1, 5, ""),
    ("AI02", "Hỏi đáp với trợ lý ảo", "ung_dung_ai", 2, 5, ""),
    ("AI03", "Soạn thảo văn bản với công cụ AI tạo sinh", "ung_dung_ai", 4, 15, ""),
    ("AI04", "Sử dụng trí tuệ nhân tạo có trách nhiệm", "ung_dung_ai", 3, 10, "cadre"),
    ("AI05", "Phân tích dữ liệu với công cụ AI", "ung_dung_ai", 6, 25, ""),
    ("AI06", "Ứng dụng AI trong sản xuất nông nghiệp", "ung_dung_ai", 3, 10, ""),
    ("AI07", "Xây dựng ứng dụng trí tuệ nhân tạo", "ung_dung_ai", 8, 40, ""),
]

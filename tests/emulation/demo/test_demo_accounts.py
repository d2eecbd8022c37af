"""What ``demo load`` says of its accounts: in the UI language, roles included."""


def test_demo_names_its_accounts_roles_in_vietnamese(app, runner):
    result = runner.invoke(args=["demo", "load", "--people", "60", "--seed", "1"])
    assert result.exit_code == 0, result.output
    line = next(line for line in result.output.splitlines() if line.startswith("Tài khoản dùng thử"))
    assert "admin@demo.laichau.vn (Quản trị viên)" in line and "(Quản lý đơn vị)" in line, line
    assert "(Sở Nội vụ)" in line and "(Người xem)" in line, line
    assert "(admin)" not in line and "(manager)" not in line and "(viewer)" not in line, line

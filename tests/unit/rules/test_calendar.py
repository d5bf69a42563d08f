from datetime import date

from iro_ledger.projections.rules.calendar import WorkingCalendar, add_months


def test_bank_holidays_do_not_count_as_working_days() -> None:
    england = WorkingCalendar("GB", "ENG")
    # Easter 2024: Good Friday 29 March and Easter Monday 1 April are English bank holidays.
    assert not england.is_working_day(date(2024, 3, 29))
    assert not england.is_working_day(date(2024, 4, 1))
    assert england.add_working_days(date(2024, 3, 28), 1) == date(2024, 4, 2)
    assert england.working_days_between(date(2024, 3, 28), date(2024, 4, 2)) == 1


def test_weekends_do_not_count_and_the_start_day_is_not_counted() -> None:
    england = WorkingCalendar("GB", "ENG")
    assert england.add_working_days(date(2024, 6, 7), 1) == date(2024, 6, 10)  # Fri -> Mon
    assert england.add_working_days(date(2024, 6, 3), 20) == date(2024, 7, 1)


def test_a_scottish_holiday_is_a_working_day_in_england() -> None:
    # 2 January is a bank holiday in Scotland only.
    assert WorkingCalendar("GB", "ENG").is_working_day(date(2024, 1, 2))
    assert not WorkingCalendar("GB", "SCT").is_working_day(date(2024, 1, 2))


def test_adding_months_keeps_the_day_or_falls_back_to_the_month_end() -> None:
    assert add_months(date(2024, 1, 15), 3) == date(2024, 4, 15)
    assert add_months(date(2023, 11, 30), 3) == date(2024, 2, 29)
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2024, 3, 31), -12) == date(2023, 3, 31)

from ita_rent_bot.cli import app

app()

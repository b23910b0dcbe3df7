"""`flask articles …`"""

import click
from flask.cli import AppGroup

from leads.articles.importer import ArticleImportError, import_post
from leads.articles.source import load_source
from leads.extensions import db
from leads.models import Article

articles_cli = AppGroup("articles", help="Import and list treatment articles.")


@articles_cli.command("import")
@click.argument("source", metavar="FILE_OR_URL")
@click.option(
    "--if-empty",
    is_flag=True,
    help="Import only when there is no article yet (how `make run` adds the bundled one).",
)
@click.option(
    "--allow-private-network",
    is_flag=True,
    help="Allow a URL on a loopback, private or link-local address (refused by default).",
)
@click.option(
    "--profile",
    metavar="KEY",
    help="Questionnaire condition profile (e.g. spinal_stenosis), unless an admin has chosen one already.",
)
def import_command(source: str, if_empty: bool, allow_private_network: bool, profile: str | None) -> None:
    """Import (or update) a WordPress REST API post from a JSON file or a public http(s) URL."""
    # A restart must not put the bundled article back over the clinic's later import.
    if if_empty and db.session.scalar(db.select(Article.id).limit(1)) is not None:
        click.echo("Articles exist already: nothing imported")
        return
    try:
        result = import_post(
            load_source(source, allow_private_network=allow_private_network), profile=profile
        )
    except ArticleImportError as error:
        # ClickException prints "Error: …" on stderr and exits with status 1.
        raise click.ClickException(str(error)) from None
    article = result.article
    state = "created" if result.created else "updated"
    # Still one line: an operator (or a sync log) sees at once that the questionnaire has no symptoms.
    missing = "" if result.symptoms_found else "; no symptom list found: review it under Dashboard > Articles"
    click.echo(f'Imported "{article.title}" at /{article.slug}/ ({state}){missing}')


@articles_cli.command("list")
def list_command() -> None:
    """One line per article: WordPress id, page address, title."""
    articles = db.session.scalars(db.select(Article).order_by(Article.slug)).all()
    if not articles:
        click.echo("No articles yet. Import one with: flask articles import FILE_OR_URL")
        return
    for article in articles:
        click.echo(
            f"{article.wp_id}\t/{article.slug}/\t{article.title}"
            f"\t({len(article.symptoms)} symptoms, {len(article.faqs)} FAQ)"
        )

def load_regions_after_migrate(sender, **kwargs):
    """Keep the division table filled after every migrate (fresh databases and test databases alike)."""
    from gonghui.regions.loader import load_regions

    load_regions()

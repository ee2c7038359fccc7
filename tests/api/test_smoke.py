def test_project_root_answers(api, url):
    response = api.get(url())
    assert response.status_code in (200, 204)
